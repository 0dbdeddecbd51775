// The login endpoint written the way a Node backend usually is: Express, the same offline checks
// (hex shape, app id, expiry, RSA-SHA1 signature by node:crypto), one keep-alive GET to the Steam Web
// API, a user upsert and a session insert in SQLite, and the spec's response. A baseline for
// BENCH_EXPRESS=1 scripts/bench-server.sh, not a product.
// Usage: node server.js <port> <steam_api_base> <web_api_key> <app_id> <trusted_public_key.pem>
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const http = require("node:http");
const express = require("express");
const initSqlJs = require("sql.js");

const [port, steamBase, key, appId, pemPath] = process.argv.slice(2);
const publicKey = crypto.createPublicKey(fs.readFileSync(pemPath, "utf8"));
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const OWNERSHIP = 56;

function error(res, status, code, message) {
  res.status(status).json({ error: { code, message } });
}

function steamAuthenticate(ticket) {
  const url = new URL(`${steamBase}/ISteamUserAuth/AuthenticateUserTicket/v1/`);
  url.searchParams.set("appid", appId);
  url.searchParams.set("ticket", ticket);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { "x-webapi-key": key, accept: "application/json" }, timeout: 5000 }, (r) => {
      let body = "";
      r.setEncoding("utf8");
      r.on("data", (c) => (body += c));
      r.on("end", () => {
        try { resolve({ status: r.statusCode, json: JSON.parse(body) }); } catch (e) { reject(e); }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

initSqlJs().then((SQL) => {
  const db = new SQL.Database();
  db.run("CREATE TABLE users (id TEXT PRIMARY KEY, steam_id TEXT UNIQUE, owner TEXT, created INTEGER, last_login INTEGER)");
  db.run("CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id TEXT, generated INTEGER, expire INTEGER)");
  const findUser = db.prepare("SELECT id FROM users WHERE steam_id = ?");
  const insertUser = db.prepare("INSERT INTO users VALUES (?, ?, ?, ?, ?)");
  const touchUser = db.prepare("UPDATE users SET last_login = ? WHERE id = ?");
  const insertSession = db.prepare("INSERT INTO sessions VALUES (?, ?, ?, ?)");

  const app = express();
  app.use(express.json({ limit: "8kb" }));
  app.post("/api/v1/auth/provider/steam/login", async (req, res) => {
    const token = (req.body && req.body.token) || req.query.token;
    if (typeof token !== "string") return error(res, 400, "missing_token", "send {\"token\": \"<ticket hex>\"}");
    if (token.length > 5120 || token.length % 2 || !/^[0-9a-fA-F]+$/.test(token) || !/^14000000/i.test(token)) {
      return error(res, 400, "malformed_ticket", "token is not a Steam auth ticket");
    }
    const bytes = Buffer.from(token, "hex");
    if (bytes.length < OWNERSHIP + 40) return error(res, 400, "malformed_ticket", "truncated");
    const ownershipLen = bytes.readUInt32LE(OWNERSHIP);
    const signed = bytes.subarray(OWNERSHIP, OWNERSHIP + ownershipLen);
    const signature = bytes.subarray(OWNERSHIP + ownershipLen, OWNERSHIP + ownershipLen + 128);
    if (signature.length !== 128) return error(res, 400, "malformed_ticket", "truncated");
    const now = Math.floor(Date.now() / 1000);
    if (bytes.readUInt32LE(OWNERSHIP + 16) !== Number(appId)) return error(res, 401, "ticket_rejected", "wrong app");
    if (bytes.readUInt32LE(OWNERSHIP + 36) <= now) return error(res, 401, "ticket_rejected", "expired");
    if (!crypto.verify("sha1", signed, publicKey, signature)) return error(res, 401, "ticket_rejected", "bad signature");
    let answer;
    try { answer = await steamAuthenticate(token); } catch (e) { return error(res, 502, "steam_error", "cannot reach Steam"); }
    const params = answer.json && answer.json.response && answer.json.response.params;
    if (answer.status !== 200 || !params || params.result !== "OK") return error(res, 401, "steam_rejected", "Steam rejected the ticket");
    const steamId = params.steamid;
    findUser.bind([steamId]);
    let userId = findUser.step() ? findUser.get()[0] : null;
    findUser.reset();
    if (userId) {
      touchUser.run([now, userId]);
    } else {
      userId = crypto.randomUUID();
      insertUser.run([userId, steamId, params.ownersteamid || steamId, now, now]);
    }
    const sessionToken = crypto.randomUUID();
    const expire = now + 86400;
    insertSession.run([crypto.createHash("sha256").update(sessionToken).digest("hex"), userId, now, expire]);
    res.json({
      preferredLanguage: "en",
      friendsFirstSync: { steam: true },
      fixedMyFriendsUserPlatformId: { steam: true },
      id: userId,
      provider: { providerId: steamId, providerName: "steam", userId },
      providers: [{ providerName: "steam", providerId: steamId }],
      friends: [],
      triggerResults: { success: [], error: [] },
      tokenId: sessionToken,
      generated: now,
      expire,
      userId,
      token: sessionToken,
    });
  });
  app.get("/healthz", (req, res) => res.json({ status: "ok" }));
  app.listen(Number(port), "127.0.0.1");
});
