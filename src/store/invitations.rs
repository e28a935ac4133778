//! Link tokens: invitation tokens and members' personal tokens. A token is
//! derived with an HMAC keyed by the service's own link key (the setting
//! `invitation_key`, generated once and kept in the database, never taken from
//! the environment, so every instance agrees), so it can be rebuilt for a
//! reminder or an email without being stored; the database keeps only its
//! SHA-256 for lookup.

use super::hash_secret;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The token of invitation `invitation_id` (43 URL-safe characters).
pub fn token_for(key: &str, invitation_id: &str) -> String {
    derive(key, &["invitation", invitation_id])
}

/// The personal token of member `member_id` at `version` (43 characters).
pub fn member_token_for(key: &str, member_id: &str, version: i32) -> String {
    derive(key, &["member", member_id, &version.to_string()])
}

fn derive(key: &str, parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(parts.join(":").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// What the database stores for a token.
pub fn hash_token(token: &str) -> String {
    hash_secret(token)
}

/// Whether `s` has the shape of a token (cheap check before a lookup).
pub fn looks_like_token(s: &str) -> bool {
    s.len() == 43 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_key_and_id() {
        let a = token_for("k1", "inv-1");
        assert_eq!(a, token_for("k1", "inv-1"));
        assert_ne!(a, token_for("k2", "inv-1"));
        assert_ne!(a, token_for("k1", "inv-2"));
        assert!(looks_like_token(&a));
        let m = member_token_for("k1", "inv-1", 1);
        assert!(looks_like_token(&m));
        assert_ne!(m, a);
        assert_ne!(m, member_token_for("k1", "inv-1", 2));
    }
}
