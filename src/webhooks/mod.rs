//! Webhooks, following the Standard Webhooks spec
//! (<https://www.standardwebhooks.com>): every message carries `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256>`
//! over `id.timestamp.body`, under the endpoint's `whsec_` secret; during a
//! rotation, one signature per secret, space-separated).
//!
//! Events are queued in the transaction of the change that causes them
//! ([`crate::store::webhooks::emit`]) and sent by [`deliver`], from the
//! worker of any instance. Where a URL may point is decided in [`target`],
//! when it is registered and again on every delivery.

pub mod deliver;
pub mod events;
pub mod target;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};

use crate::domain::{WebhookEvent, WebhookFormat};

/// The prefix of every secret, as the spec has it.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `v1,<base64>` signature of one message under one secret; `None` for
/// a secret that is not `whsec_` and base64 (never stored: we make them).
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{msg_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per live secret.
pub fn signature_header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &str) -> String {
    secrets.iter().filter_map(|s| sign(s, msg_id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// One event, before it is shaped for an endpoint: what happened (`data`,
/// never a reporter, never a figure the anonymity rules hide) and a
/// paragraph for people (the chat format).
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: WebhookEvent,
    pub data: Value,
    pub summary: String,
}

/// The body sent to an endpoint of `format`.
pub fn body(event: &Event, format: WebhookFormat, timestamp: chrono::DateTime<chrono::Utc>) -> String {
    let value = match format {
        WebhookFormat::Standard => json!({
            "type": event.kind.as_str(),
            "timestamp": timestamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": event.data,
        }),
        WebhookFormat::Slack => json!({ "text": event.summary }),
    };
    value.to_string()
}

/// When the `attempts`-th attempt failed, how long until the next one; `None`
/// after the last. Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 10 h (about 27 hours from the first try to the last).
pub fn retry_after(attempts: i32) -> Option<chrono::Duration> {
    const WAITS: [i64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    WAITS.get(i).map(|s| chrono::Duration::seconds(*s))
}

/// Every attempt a message gets: the first and one per wait.
pub const MAX_ATTEMPTS: i32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_spec_example() {
        // The example of the Standard Webhooks spec (its reference test vector).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let sig = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn rotation_signs_with_both_secrets() {
        let (a, b) = (new_secret(), new_secret());
        let header = signature_header(&[&a, &b], "msg_1", 1, "{}");
        let parts: Vec<_> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_ne!(parts[0], parts[1]);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
    }

    #[test]
    fn retries_last_about_a_day_then_stop() {
        let total: i64 = (1..MAX_ATTEMPTS).map(|a| retry_after(a).unwrap().num_seconds()).sum();
        assert!((24 * 3600..30 * 3600).contains(&total), "{total}");
        assert!(retry_after(MAX_ATTEMPTS).is_none());
        assert!(retry_after(0).is_none());
    }

    #[test]
    fn slack_gets_only_text() {
        let e = Event { kind: WebhookEvent::CycleOpened, data: json!({"cycle_id": "c"}), summary: "Hi".into() };
        assert_eq!(body(&e, WebhookFormat::Slack, chrono::Utc::now()), r#"{"text":"Hi"}"#);
        let v: Value = serde_json::from_str(&body(&e, WebhookFormat::Standard, chrono::Utc::now())).unwrap();
        assert_eq!(v["type"], "cycle.opened");
        assert_eq!(v["data"]["cycle_id"], "c");
    }
}
