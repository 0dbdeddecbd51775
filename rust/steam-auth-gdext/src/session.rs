//! `SteamSession` and `SteamLoginResult`: what a login gives GDScript.

use godot::classes::file_access::ModeFlags;
use godot::classes::FileAccess;
use godot::prelude::*;
use serde_json::Value;
use steam_login_client::LoginError;
use steam_login_protocol::Session;

/// A game session issued by the login server: the response's fields as read-only snake_case
/// properties.
#[derive(GodotClass)]
#[class(no_init, base = RefCounted)]
pub struct SteamSession {
    /// The user's id on the game backend (a UUID); also [member id].
    #[var(get = get_user_id, no_set)]
    user_id: PhantomVar<GString>,
    /// The session token: send it as [code]Authorization: Bearer <token>[/code]. Never log it.
    #[var(get = get_token, no_set)]
    token: PhantomVar<GString>,
    /// The session token's id (the spec makes it equal to [member token]).
    #[var(get = get_token_id, no_set)]
    token_id: PhantomVar<GString>,
    /// The user id again, as the spec's top-level [code]id[/code].
    #[var(get = get_id, no_set)]
    id: PhantomVar<GString>,
    /// The player's SteamID64, as a string (the provider's id).
    #[var(get = get_provider_id, no_set)]
    provider_id: PhantomVar<GString>,
    /// Always [code]"steam"[/code].
    #[var(get = get_provider_name, no_set)]
    provider_name: PhantomVar<GString>,
    /// Unix time the session was issued.
    #[var(get = get_generated, no_set)]
    generated: PhantomVar<i64>,
    /// Unix time the session expires.
    #[var(get = get_expire, no_set)]
    expire: PhantomVar<i64>,
    /// The user's preferred language ([code]"en"[/code]).
    #[var(get = get_preferred_language, no_set)]
    preferred_language: PhantomVar<GString>,
    session: Session<'static>,
}

#[godot_api]
impl SteamSession {
    /// [member user_id]'s getter.
    #[func]
    fn get_user_id(&self) -> GString {
        self.session.user_id.as_ref().into()
    }

    /// [member token]'s getter.
    #[func]
    fn get_token(&self) -> GString {
        self.session.token.as_ref().into()
    }

    /// [member token_id]'s getter.
    #[func]
    fn get_token_id(&self) -> GString {
        self.session.token_id.as_ref().into()
    }

    /// [member id]'s getter.
    #[func]
    fn get_id(&self) -> GString {
        self.session.id.as_ref().into()
    }

    /// [member provider_id]'s getter.
    #[func]
    fn get_provider_id(&self) -> GString {
        self.session.provider.provider_id.as_ref().into()
    }

    /// [member provider_name]'s getter.
    #[func]
    fn get_provider_name(&self) -> GString {
        self.session.provider.provider_name.as_ref().into()
    }

    /// [member generated]'s getter.
    #[func]
    fn get_generated(&self) -> i64 {
        self.session.generated
    }

    /// [member expire]'s getter.
    #[func]
    fn get_expire(&self) -> i64 {
        self.session.expire
    }

    /// [member preferred_language]'s getter.
    #[func]
    fn get_preferred_language(&self) -> GString {
        self.session.preferred_language.as_ref().into()
    }

    /// [code]true[/code] once [member expire] has passed.
    #[func]
    fn is_expired(&self) -> bool {
        self.seconds_left() <= 0
    }

    /// Seconds until [member expire] (negative once expired).
    #[func]
    fn seconds_left(&self) -> i64 {
        self.session.seconds_left(now())
    }

    /// The response as a Dictionary, with the server's camelCase keys: what
    /// [method SteamLogin.resume] takes. Every field the server sent is there, those this addon
    /// does not know included; times are ints.
    #[func]
    fn to_dictionary(&self) -> VarDictionary {
        json_to_variant(&self.to_json())
            .try_to()
            .unwrap_or_default()
    }

    /// Saves this session with Godot's encrypted [FileAccess] ([method FileAccess.open_encrypted_with_pass])
    /// at [param path] (a [code]user://[/code] path, say), for [method SteamLogin.resume] at the next
    /// start. Opt-in, and a trade-off: the token lets whoever holds it act as this player until it
    /// expires, and a password shipped in the game can be dug out of it. Encryption keeps the token
    /// from casual copying, not from a determined attacker on the player's machine; revoke the
    /// session (DELETE [code]/api/v1/auth/session[/code]) when the player logs out.
    /// Returns [code]OK[/code] or the file error.
    #[func]
    fn save_to_file(&self, path: GString, password: GString) -> godot::global::Error {
        if password.is_empty() {
            godot_error!("SteamSession.save_to_file: the password is empty");
            return godot::global::Error::ERR_INVALID_PARAMETER;
        }
        let Some(mut file) =
            FileAccess::open_encrypted_with_pass(&path, ModeFlags::WRITE, &password)
        else {
            return FileAccess::get_open_error();
        };
        file.store_string(&self.to_json().to_string());
        file.close();
        godot::global::Error::OK
    }

    /// The session saved by [method save_to_file], as the Dictionary [method SteamLogin.resume]
    /// takes; an empty Dictionary when there is none, or it cannot be read with [param password]
    /// (then [method SteamLogin.resume] logs in with Steam). A wrong password also makes Godot's
    /// [FileAccess] print its own error ("The MD5 sum of the decrypted file does not match").
    #[func]
    fn load_from_file(path: GString, password: GString) -> VarDictionary {
        if !FileAccess::file_exists(&path) || password.is_empty() {
            return VarDictionary::new();
        }
        let Some(file) = FileAccess::open_encrypted_with_pass(&path, ModeFlags::READ, &password)
        else {
            return VarDictionary::new();
        };
        let text = file.get_as_text().to_string();
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|value| json_to_variant(&value).try_to().ok())
            .unwrap_or_default()
    }
}

impl SteamSession {
    pub fn from_session(session: Session<'static>) -> Gd<Self> {
        Gd::from_init_fn(|_base| SteamSession {
            user_id: PhantomVar::default(),
            token: PhantomVar::default(),
            token_id: PhantomVar::default(),
            id: PhantomVar::default(),
            provider_id: PhantomVar::default(),
            provider_name: PhantomVar::default(),
            generated: PhantomVar::default(),
            expire: PhantomVar::default(),
            preferred_language: PhantomVar::default(),
            session,
        })
    }

    fn to_json(&self) -> Value {
        serde_json::to_value(&self.session).unwrap_or_default()
    }
}

/// The outcome of one [method SteamLogin.login] call; read-only.
#[derive(GodotClass)]
#[class(init, base = RefCounted)]
pub struct SteamLoginResult {
    /// [code]true[/code] when [member session] holds a session.
    #[var(no_set)]
    ok: bool,
    /// The session, or [code]null[/code] on failure.
    #[var(no_set)]
    session: Option<Gd<SteamSession>>,
    /// [code]""[/code] on success, else one of [code]"transport"[/code] (unreachable server),
    /// [code]"timeout"[/code], [code]"rejected"[/code] (4xx: the ticket was refused),
    /// [code]"server"[/code] (5xx), [code]"protocol"[/code] (not a session), [code]"cancelled"[/code],
    /// [code]"invalid_ticket"[/code] (bad input), [code]"steam"[/code] (no ticket from Steam),
    /// [code]"insecure_endpoint"[/code] (plain [code]http://[/code] beyond loopback in a release
    /// export; see [code]steam/auth/allow_insecure_http[/code]) or [code]"config"[/code] (an
    /// unreadable [code]steam/auth/login_ca_file[/code]).
    #[var(no_set)]
    error_kind: GString,
    /// What went wrong, in words for a developer (never the ticket or a token).
    #[var(no_set)]
    error_message: GString,
    /// The server's error code (e.g. [code]"invalid_ticket"[/code]) when it gave one.
    #[var(no_set)]
    error_code: GString,
    /// The HTTP status, or 0 when no answer arrived.
    #[var(no_set)]
    http_status: i64,
    /// Microseconds from the HTTP answer's arrival to this result's signal on the main thread.
    #[var(no_set)]
    delivery_usec: i64,
    /// [code]true[/code] when [method SteamLogin.resume] renewed the saved session without Steam
    /// (no ticket, no Web API call); [code]false[/code] for a login with a ticket.
    #[var(no_set)]
    resumed: bool,
}

#[godot_api]
impl SteamLoginResult {}

impl SteamLoginResult {
    /// The result and, for the `login_succeeded` signal, its session.
    pub fn success(
        session: Session<'static>,
        delivery_usec: i64,
        resumed: bool,
    ) -> (Gd<Self>, Gd<SteamSession>) {
        let session = SteamSession::from_session(session);
        let result = Gd::from_init_fn(|_base| SteamLoginResult {
            ok: true,
            session: Some(session.clone()),
            error_kind: GString::new(),
            error_message: GString::new(),
            error_code: GString::new(),
            http_status: 200,
            delivery_usec,
            resumed,
        });
        (result, session)
    }

    /// A failure of `kind`; `login` is the login client's error, when it came from there.
    pub fn failure(
        kind: &str,
        message: &str,
        login: Option<&LoginError>,
        delivery_usec: i64,
    ) -> Gd<Self> {
        Gd::from_init_fn(|_base| SteamLoginResult {
            ok: false,
            session: None,
            error_kind: kind.into(),
            error_message: message.into(),
            error_code: login
                .and_then(|e| e.code.as_ref())
                .map_or("", |code| code.as_str())
                .into(),
            http_status: login.map_or(0, |e| i64::from(e.http_status)),
            delivery_usec,
            resumed: false,
        })
    }
}

/// Unix seconds, from the clock every crate of this project reads.
pub fn now() -> i64 {
    use steam_ticket::Clock;
    steam_ticket::SystemClock.unix_now() as i64
}

/// JSON → Variant: objects become Dictionaries, arrays Arrays, integers ints.
pub fn json_to_variant(value: &Value) -> Variant {
    match value {
        Value::Null => Variant::nil(),
        Value::Bool(b) => b.to_variant(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_variant(),
            None => n.as_f64().unwrap_or(0.0).to_variant(),
        },
        Value::String(s) => s.to_variant(),
        Value::Array(items) => items
            .iter()
            .map(json_to_variant)
            .collect::<VarArray>()
            .to_variant(),
        Value::Object(map) => {
            let mut dict = VarDictionary::new();
            for (k, v) in map {
                dict.set(k.as_str(), &json_to_variant(v));
            }
            dict.to_variant()
        }
    }
}
