// Verifies an access token the way a Node service would, with jose: the issuer's
// discovery document, its JWKS (createRemoteJWKSet), and jwtVerify with the issuer,
// the audience and the RFC 9068 type. Prints the payload as JSON, or the error's code.
// Usage: node verify_jose.mjs <issuer> <audience> <token>
import { createRemoteJWKSet, jwtVerify } from "jose";

const [issuer, audience, token] = process.argv.slice(2);
try {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const keys = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(token, keys, {
    issuer,
    audience,
    typ: "at+jwt",
    algorithms: ["RS256"],
  });
  console.log(JSON.stringify({ ok: true, payload, header: protectedHeader }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, code: error.code ?? error.name }));
}
