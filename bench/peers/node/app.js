// express-session + connect-dynamodb on loopback, driven by bench/peers (make bench).
// MODE=default: express-session's defaults (resave and saveUninitialized true);
// MODE=best: the settings its README recommends (resave: false, saveUninitialized: false).
const express = require("express");
const session = require("express-session");
const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const DynamoDBStore = require("connect-dynamodb")(session);

const best = process.env.MODE === "best";
const client = new DynamoDBClient({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
});
const options = {
  store: new DynamoDBStore({ client, table: process.env.TABLE }),
  secret: "bench-secret-not-for-production",
  cookie: { maxAge: 24 * 3600 * 1000 },
};
if (best) {
  options.resave = false;
  options.saveUninitialized = false;
}
const app = express();
app.use(express.json());
app.use(session(options));

app.post("/login", (req, res, next) => {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.userId = req.body.userId;
    req.session.save((err2) => (err2 ? next(err2) : res.json({ ok: true })));
  });
});
app.get("/page", (req, res) => {
  if (!req.session.userId) return res.status(401).json({ error: "signed out" });
  res.json({ userId: req.session.userId });
});
app.post("/refresh", (req, res, next) => {
  const userId = req.session.userId;
  if (!userId) return res.status(401).json({ error: "signed out" });
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.userId = userId;
    req.session.save((err2) => (err2 ? next(err2) : res.json({ ok: true })));
  });
});
app.post("/logout", (req, res, next) => {
  req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
});

const server = app.listen(Number(process.env.PORT), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
