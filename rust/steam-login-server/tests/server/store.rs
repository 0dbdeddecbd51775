//! One suite, both stores: SQLite always, PostgreSQL when scripts/test.sh has started one.

use std::sync::Arc;

use steam_login_server::store::{
    self, Ban, NewLogin, Recorded, Refresh, Refreshed, Store, TicketKey, TokenHash, UsedTicket,
};

/// A login with a ticket of its own (its key derived from the session token).
fn login(steam_id: u64, owner: u64, token_hash: &str, at: i64) -> NewLogin {
    NewLogin {
        steam_id,
        owner_steam_id: owner,
        candidate_user_id: uuid::Uuid::new_v4().to_string(),
        token_hash: TokenHash::of(token_hash),
        generated: at,
        expire: at + 86_400,
        ticket: UsedTicket {
            key: TicketKey::of(steam_id, gc_token_of(token_hash)),
            expire: at + 21 * 86_400,
        },
    }
}

/// A GC token as unique as the session token it is made from.
fn gc_token_of(token: &str) -> u64 {
    let hash = TokenHash::of(token).0;
    u64::from_le_bytes(hash[..8].try_into().unwrap())
}

/// The user id of a recorded login.
fn user_id(recorded: Recorded) -> String {
    match recorded {
        Recorded::Login { user_id } => user_id,
        Recorded::TicketReused => panic!("the ticket was taken as used"),
    }
}

/// A SteamID unlikely to collide between runs against the same PostgreSQL database.
fn fresh_steam_id() -> u64 {
    76561198000000000 + (uuid::Uuid::new_v4().as_u128() % 1_000_000_000) as u64
}

async fn suite(store: Arc<dyn Store>) {
    // As the server opens it (SQLite's claimed tickets loaded).
    store.prepare_to_serve().await.unwrap();
    // A user is created once and keeps its id; owner and last login follow the latest login.
    let steam_id = fresh_steam_id();
    let a = uuid::Uuid::new_v4().to_string();
    let first = user_id(
        store
            .record_login(login(steam_id, steam_id, &a, 1_000))
            .await
            .unwrap(),
    );
    let b = uuid::Uuid::new_v4().to_string();
    let second = user_id(
        store
            .record_login(login(steam_id, 76561198000000999, &b, 2_000))
            .await
            .unwrap(),
    );
    assert_eq!(first, second);
    let user = store.user(steam_id).await.unwrap().expect("user exists");
    assert_eq!(user.id, first);
    assert_eq!((user.created_at, user.last_login_at), (1_000, 2_000));
    assert_eq!(user.owner_steam_id, 76561198000000999);
    assert!(store.user(steam_id + 1).await.unwrap().is_none());

    // Sessions are found by token hash and revoked once.
    let session = store
        .session(&TokenHash::of(&a))
        .await
        .unwrap()
        .expect("session exists");
    assert_eq!(
        (session.user_id.as_str(), session.steam_id),
        (first.as_str(), steam_id)
    );
    assert_eq!(
        (session.generated, session.expire, session.revoked),
        (1_000, 87_400, false)
    );
    assert!(store.revoke(&TokenHash::of(&a), 3_000).await.unwrap());
    assert!(!store.revoke(&TokenHash::of(&a), 3_001).await.unwrap());
    assert!(
        store
            .session(&TokenHash::of(&a))
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(
        !store
            .session(&TokenHash::of(&b))
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(store
        .session(&TokenHash::of("missing"))
        .await
        .unwrap()
        .is_none());

    // A token hash is unique; the failed login leaves its ticket unspent.
    let clash = NewLogin {
        ticket: UsedTicket {
            key: TicketKey::of(steam_id, 0x5eed),
            expire: 100_000,
        },
        ..login(steam_id, steam_id, &b, 4_000)
    };
    assert!(store.record_login(clash.clone()).await.is_err());
    assert!(!store.ticket_used(&clash.ticket.key).await.unwrap());

    // 50 concurrent first logins of one SteamID: one user.
    let steam_id = fresh_steam_id();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let hash = uuid::Uuid::new_v4().to_string();
                user_id(
                    store
                        .record_login(login(steam_id, steam_id, &hash, 5_000))
                        .await
                        .unwrap(),
                )
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1);

    // Quota counts add up per day.
    let day = format!("test-{}", uuid::Uuid::new_v4());
    assert_eq!(store.add_quota(&day, 0).await.unwrap(), 0);
    assert_eq!(store.add_quota(&day, 5).await.unwrap(), 5);
    assert_eq!(store.add_quota(&day, 2).await.unwrap(), 7);
    // Taken one at a time up to the budget, concurrently: never past it.
    let day = format!("test-{}", uuid::Uuid::new_v4());
    let takers: Vec<_> = (0..30)
        .map(|_| {
            let (store, day) = (Arc::clone(&store), day.clone());
            tokio::spawn(async move { store.take_quota(&day, 10).await.unwrap() })
        })
        .collect();
    let mut taken = Vec::new();
    for t in takers {
        taken.extend(t.await.unwrap());
    }
    taken.sort_unstable();
    assert_eq!(taken, (1..=10).collect::<Vec<u64>>());
    assert_eq!(store.take_quota(&day, 0).await.unwrap(), None);

    // A refresh replaces a live session once; expired, revoked and unknown ones are told apart.
    let steam_id = fresh_steam_id();
    let live = uuid::Uuid::new_v4().to_string();
    let user = user_id(
        store
            .record_login(login(steam_id, steam_id, &live, 10_000))
            .await
            .unwrap(),
    );
    let renewed = uuid::Uuid::new_v4().to_string();
    let refresh = |old: &str, new: &str, at: i64| Refresh {
        old: TokenHash::of(old),
        new: TokenHash::of(new),
        at,
        expire: at + 100,
    };
    assert_eq!(
        store
            .refresh(refresh(&live, &renewed, 10_001))
            .await
            .unwrap(),
        Refreshed::Renewed {
            user_id: user.clone(),
            steam_id
        }
    );
    let new_session = store
        .session(&TokenHash::of(&renewed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            new_session.user_id.as_str(),
            new_session.generated,
            new_session.expire
        ),
        (user.as_str(), 10_001, 10_101)
    );
    let again = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        store.refresh(refresh(&live, &again, 10_002)).await.unwrap(),
        Refreshed::Revoked
    );
    assert_eq!(
        store
            .refresh(refresh(&renewed, &again, 20_000))
            .await
            .unwrap(),
        Refreshed::Expired
    );
    assert_eq!(
        store
            .refresh(refresh("nobody", &again, 10_002))
            .await
            .unwrap(),
        Refreshed::Unknown
    );
    assert!(store
        .session(&TokenHash::of(&again))
        .await
        .unwrap()
        .is_none());

    // The sweep deletes only what expired before its cutoff, at most `limit` at a time.
    let steam_id = fresh_steam_id();
    let old: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    for token in &old {
        store
            .record_login(login(steam_id, steam_id, token, -200_000))
            .await
            .unwrap();
    }
    let kept = uuid::Uuid::new_v4().to_string();
    store
        .record_login(login(steam_id, steam_id, &kept, -50_000))
        .await
        .unwrap();
    // Sessions of earlier runs against the same database may be swept too: count only ours.
    let cutoff = -100_000;
    while store.delete_expired(cutoff, 2).await.unwrap() > 0 {}
    for token in &old {
        assert!(store
            .session(&TokenHash::of(token))
            .await
            .unwrap()
            .is_none());
    }
    assert!(store
        .session(&TokenHash::of(&kept))
        .await
        .unwrap()
        .is_some());

    replays(&*store).await;
    bans_and_revocation(&*store).await;
    friends(&*store).await;
}

/// A ticket logs in once: the second login with it is refused and stores nothing; its record goes
/// when the ticket expires.
async fn replays(store: &dyn Store) {
    let steam_id = fresh_steam_id();
    let token = uuid::Uuid::new_v4().to_string();
    let first = login(steam_id, steam_id, &token, 20_000);
    assert!(!store.ticket_used(&first.ticket.key).await.unwrap());
    user_id(store.record_login(first.clone()).await.unwrap());
    assert!(store.ticket_used(&first.ticket.key).await.unwrap());
    let replay = NewLogin {
        token_hash: TokenHash::of("another session"),
        candidate_user_id: uuid::Uuid::new_v4().to_string(),
        ..first.clone()
    };
    assert_eq!(
        store.record_login(replay).await.unwrap(),
        Recorded::TicketReused
    );
    assert!(
        store
            .session(&TokenHash::of("another session"))
            .await
            .unwrap()
            .is_none(),
        "nothing stored"
    );
    // Swept only once the ticket has expired.
    while store
        .delete_used_tickets(first.ticket.expire, 1_000)
        .await
        .unwrap()
        > 0
    {}
    assert!(store.ticket_used(&first.ticket.key).await.unwrap());
    while store
        .delete_used_tickets(first.ticket.expire + 1, 1_000)
        .await
        .unwrap()
        > 0
    {}
    assert!(!store.ticket_used(&first.ticket.key).await.unwrap());
}

/// A ban holds until it ends or is lifted, and revokes the player's live sessions; revoking a
/// player's sessions leaves other players' alone.
async fn bans_and_revocation(store: &dyn Store) {
    let cheater = fresh_steam_id();
    let other = fresh_steam_id();
    let live = uuid::Uuid::new_v4().to_string();
    let expired = uuid::Uuid::new_v4().to_string();
    let bystander = uuid::Uuid::new_v4().to_string();
    user_id(
        store
            .record_login(login(cheater, cheater, &expired, 1_000))
            .await
            .unwrap(),
    );
    user_id(
        store
            .record_login(login(cheater, cheater, &live, 100_000))
            .await
            .unwrap(),
    );
    user_id(
        store
            .record_login(login(other, other, &bystander, 100_000))
            .await
            .unwrap(),
    );
    let ban = Ban {
        steam_id: cheater,
        reason: "aimbot".into(),
        banned_at: 150_000,
        until: Some(160_000),
    };
    assert_eq!(
        store.ban(ban.clone()).await.unwrap(),
        1,
        "the live session, not the expired one"
    );
    assert_eq!(
        store.active_ban(cheater, 155_000).await.unwrap(),
        Some(ban.clone())
    );
    assert_eq!(
        store.active_ban(cheater, 160_000).await.unwrap(),
        None,
        "ended"
    );
    assert_eq!(store.active_ban(other, 155_000).await.unwrap(), None);
    assert!(
        store
            .session(&TokenHash::of(&live))
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(
        !store
            .session(&TokenHash::of(&bystander))
            .await
            .unwrap()
            .unwrap()
            .revoked
    );
    assert!(store.bans().await.unwrap().contains(&ban));
    // A permanent ban replaces the first; lifting it ends it.
    let permanent = Ban { until: None, ..ban };
    store.ban(permanent.clone()).await.unwrap();
    assert_eq!(
        store.active_ban(cheater, 10_000_000).await.unwrap(),
        Some(permanent)
    );
    assert!(store.unban(cheater).await.unwrap());
    assert!(!store.unban(cheater).await.unwrap());
    assert_eq!(store.active_ban(cheater, 155_000).await.unwrap(), None);
    // Revoking every session of one player.
    let sessions = store.user_sessions(other).await.unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(store.revoke_user(other, 150_000).await.unwrap(), 1);
    assert_eq!(store.revoke_user(other, 150_001).await.unwrap(), 0);
    assert!(store.user_sessions(other).await.unwrap()[0].revoked);
    let listed = store.user_sessions(cheater).await.unwrap();
    assert_eq!(
        listed.iter().map(|s| s.generated).collect::<Vec<_>>(),
        [100_000, 1_000],
        "newest first"
    );
    assert_eq!(store.quota_used("1999-01-01").await.unwrap(), 0);
}

/// A player's stored Steam friends, of whom only the users are listed.
async fn friends(store: &dyn Store) {
    let player = fresh_steam_id();
    let friend_who_plays = fresh_steam_id();
    let friend_who_does_not = fresh_steam_id();
    assert_eq!(store.friends_synced_at(player).await.unwrap(), None);
    store
        .replace_friends(player, vec![friend_who_plays, friend_who_does_not], 5_000)
        .await
        .unwrap();
    assert_eq!(store.friends_synced_at(player).await.unwrap(), Some(5_000));
    assert_eq!(store.friend_users(player).await.unwrap(), vec![]);
    let token = uuid::Uuid::new_v4().to_string();
    let id = user_id(
        store
            .record_login(login(friend_who_plays, friend_who_plays, &token, 6_000))
            .await
            .unwrap(),
    );
    assert_eq!(
        store.friend_users(player).await.unwrap(),
        vec![(id, friend_who_plays)]
    );
    store.replace_friends(player, vec![], 7_000).await.unwrap();
    assert_eq!(store.friend_users(player).await.unwrap(), vec![]);
    assert_eq!(store.friends_synced_at(player).await.unwrap(), Some(7_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store_passes_the_suite() {
    let path = std::env::temp_dir().join(format!("steam-login-store-{}.db", uuid::Uuid::new_v4()));
    let store = store::open(&path.display().to_string()).await.unwrap();
    assert_eq!(store.kind(), "sqlite");
    suite(store).await;
    // The file persists: reopening finds the users.
    let reopened = store::open(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert_eq!(reopened.add_quota("x", 1).await.unwrap(), 1);
}

/// SQLite refuses replays from the claimed tickets it keeps in memory, read back from the file: a
/// ticket claimed before a restart is refused after it, whether the store was prepared to serve, asked
/// first, or asked to log the ticket in straight away; one claimed after the restart is known too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_knows_the_tickets_used_before_a_restart() {
    let path = std::env::temp_dir().join(format!("steam-login-store-{}.db", uuid::Uuid::new_v4()));
    let path = path.display().to_string();
    let before = login(fresh_steam_id(), 1, "claimed before the restart", 1_000);
    {
        let store = store::open(&path).await.unwrap();
        assert!(!store.ticket_used(&before.ticket.key).await.unwrap());
        user_id(store.record_login(before.clone()).await.unwrap());
        assert!(store.ticket_used(&before.ticket.key).await.unwrap());
    }
    let replay = NewLogin {
        token_hash: TokenHash::of("replayed after the restart"),
        ..before.clone()
    };
    // Opened and asked to log in at once: the writer reads the file before it claims.
    let reopened = store::open(&path).await.unwrap();
    assert_eq!(
        reopened.record_login(replay.clone()).await.unwrap(),
        Recorded::TicketReused
    );
    drop(reopened);
    // Opened and asked first (as `admin` opens it: not prepared).
    let reopened = store::open(&path).await.unwrap();
    assert!(reopened.ticket_used(&before.ticket.key).await.unwrap());
    drop(reopened);
    // Prepared, as the server opens it.
    let reopened = store::open(&path).await.unwrap();
    reopened.prepare_to_serve().await.unwrap();
    assert!(reopened.ticket_used(&before.ticket.key).await.unwrap());
    assert_eq!(
        reopened.record_login(replay).await.unwrap(),
        Recorded::TicketReused
    );
    let after = login(fresh_steam_id(), 1, "claimed after the restart", 2_000);
    assert!(!reopened.ticket_used(&after.ticket.key).await.unwrap());
    user_id(reopened.record_login(after.clone()).await.unwrap());
    assert!(reopened.ticket_used(&after.ticket.key).await.unwrap());
}

/// One process serves a SQLite file (replays are refused from its memory): a second server on the
/// same file is refused at start, by name, and may start once the first has stopped. `admin`
/// commands, which open the store without serving, are not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_on_one_sqlite_file_is_refused() {
    let path = std::env::temp_dir().join(format!("steam-login-store-{}.db", uuid::Uuid::new_v4()));
    let path = path.display().to_string();
    let first = store::open(&path).await.unwrap();
    first.prepare_to_serve().await.unwrap();
    let second = store::open(&path).await.unwrap();
    let refused = second.prepare_to_serve().await.unwrap_err().to_string();
    assert!(
        refused.contains("already served by another steam-login-server"),
        "{refused}"
    );
    let admin = store::open(&path).await.unwrap();
    assert_eq!(admin.quota_used("2026-01-01").await.unwrap(), 0);
    drop(admin);
    // Stopped (its server returned), though the store itself lives on in this process.
    first.stop_serving();
    second.prepare_to_serve().await.unwrap();
    drop(first);
    drop(second);
    let _ = std::fs::remove_file(format!("{path}.lock"));
}

/// A file written by the previous layout (schema version 2, used tickets keyed by their hash) is
/// upgraded in place: its users, sessions and used tickets carry over, and its tickets stay spent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrades_a_version_2_file_and_its_tickets_stay_spent() {
    let path = std::env::temp_dir().join(format!("steam-login-store-{}.db", uuid::Uuid::new_v4()));
    let spent = login(fresh_steam_id(), 1, "spent under version 2", 1_000);
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE users (steam_id INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, \
               owner_steam_id INTEGER NOT NULL, created_at INTEGER NOT NULL, last_login_at INTEGER NOT NULL);
             CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), \
               steam_id INTEGER NOT NULL, generated INTEGER NOT NULL, expire INTEGER NOT NULL, revoked_at INTEGER) WITHOUT ROWID;
             CREATE TABLE quota (day TEXT PRIMARY KEY, used INTEGER NOT NULL);
             CREATE TABLE used_tickets (ticket_key BLOB PRIMARY KEY, expire INTEGER NOT NULL) WITHOUT ROWID;
             CREATE TABLE bans (steam_id INTEGER PRIMARY KEY, reason TEXT NOT NULL, banned_at INTEGER NOT NULL, ends_at INTEGER);
             CREATE TABLE steam_friends (steam_id INTEGER NOT NULL, friend_steam_id INTEGER NOT NULL, \
               PRIMARY KEY (steam_id, friend_steam_id)) WITHOUT ROWID;
             CREATE TABLE friend_syncs (steam_id INTEGER PRIMARY KEY, synced_at INTEGER NOT NULL);
             PRAGMA user_version = 2;",
        )
        .unwrap();
        old.execute(
            "INSERT INTO users VALUES (?1, 'user-v2', ?1, 1000, 1000)",
            [spent.steam_id as i64],
        )
        .unwrap();
        old.execute(
            "INSERT INTO sessions VALUES (?1, 'user-v2', ?2, 1000, ?3, NULL)",
            rusqlite::params![spent.token_hash.0, spent.steam_id as i64, spent.expire],
        )
        .unwrap();
        old.execute(
            "INSERT INTO used_tickets VALUES (?1, ?2)",
            rusqlite::params![spent.ticket.key.0, spent.ticket.expire],
        )
        .unwrap();
    }
    let store = store::open(&path.display().to_string()).await.unwrap();
    store.prepare_to_serve().await.unwrap();
    assert!(store.ticket_used(&spent.ticket.key).await.unwrap());
    let replay = NewLogin {
        token_hash: TokenHash::of("replayed after the upgrade"),
        ..spent.clone()
    };
    assert_eq!(
        store.record_login(replay).await.unwrap(),
        Recorded::TicketReused
    );
    let session = store.session(&spent.token_hash).await.unwrap().unwrap();
    assert_eq!(session.user_id, "user-v2");
    let fresh = login(spent.steam_id, 1, "first login after the upgrade", 2_000);
    assert_eq!(user_id(store.record_login(fresh).await.unwrap()), "user-v2");
    // The swept record leaves the table and the set alike.
    assert_eq!(
        store
            .delete_used_tickets(spent.ticket.expire + 1, 10)
            .await
            .unwrap(),
        1
    );
    assert!(!store.ticket_used(&spent.ticket.key).await.unwrap());
    drop(store);
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn postgres_store_passes_the_suite() {
    let url = std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL must name a PostgreSQL database (scripts/lib/with-postgres.sh sets it)",
    );
    let store = store::open(&url).await.unwrap();
    assert_eq!(store.kind(), "postgres");
    suite(store).await;
}
