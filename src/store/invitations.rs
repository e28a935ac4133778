//! Invitation tokens. A token is derived from the invitation id with an HMAC
//! keyed by the service's own invitation key (generated once and kept in the
//! database, never taken from the environment, so every instance agrees), so it can be rebuilt for a reminder or
//! the member's page without being stored; the database keeps only its
//! SHA-256 for lookup.

use super::hash_secret;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The token of invitation `invitation_id` (43 URL-safe characters).
pub fn token_for(key: &str, invitation_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"invitation:");
    mac.update(invitation_id.as_bytes());
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
    }
}
