//! Single sign-on for the console with OpenID Connect (`DEVPULSE_OIDC_*`):
//! the authorization code flow with PKCE (S256), `state` and `nonce`.
//!
//! - The provider is discovered on first use (`<issuer>/.well-known/...`),
//!   not at start, so devpulse starts while the provider is down.
//! - Its keys come with the discovery. A token signed with a key id we do
//!   not know (the provider rotated its keys) makes us discover again once
//!   and check the same token with the fresh keys; a known key id with a
//!   bad signature is refused at once.
//! - The HTTP client follows no redirects (a provider's answer cannot send
//!   devpulse elsewhere) and gives up after 10 seconds.
//! - Admission: `email_verified` must be true and the email must match
//!   `DEVPULSE_OIDC_ADMINS` (addresses, or `@domain` for a whole domain).
//!   An admitted person without an admin account gets one, without a
//!   password (they sign in through the provider only).

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use std::sync::Arc;
use tokio::sync::RwLock;

/// The client after discovery (see openidconnect's typed endpoint states).
type OidcClient =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// The path the provider sends the browser back to.
pub const CALLBACK: &str = "/admin/sso/callback";
/// How long a request to the provider may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Clocks disagree a little: a token is still good this long past its expiry.
const SKEW_SECONDS: i64 = 60;

/// Why a sign-in through the provider did not work.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The provider could not be reached or answered nonsense (502).
    #[error("the identity provider: {0}")]
    Provider(String),
    /// The token or the person was refused (403).
    #[error("{0}")]
    Refused(String),
}

/// Who may sign in: whole addresses, or `@domain`.
#[derive(Debug, Clone, Default)]
pub struct Admins(Vec<String>);

impl Admins {
    /// `ada@example.com, @platform.example.com`.
    pub fn parse(list: &str) -> Admins {
        Admins(list.split([',', ' ', '\n']).map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect())
    }

    pub fn allows(&self, email: &str) -> bool {
        let email = email.trim().to_lowercase();
        let domain = email.rsplit_once('@').map(|(_, d)| format!("@{d}"));
        self.0.iter().any(|a| *a == email || Some(a) == domain.as_ref())
    }
}

/// The settings of single sign-on.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub admins: Admins,
}

/// A sign-in to send the browser off with.
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Single sign-on; one per process.
pub struct Sso {
    config: SsoConfig,
    redirect: String,
    http: reqwest::Client,
    client: RwLock<Option<Arc<OidcClient>>>,
}

impl Sso {
    pub fn new(config: SsoConfig, base_url: &str) -> Result<Sso, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        IssuerUrl::new(config.issuer.clone()).map_err(|e| format!("DEVPULSE_OIDC_ISSUER: {e}"))?;
        let redirect = format!("{}{CALLBACK}", base_url.trim_end_matches('/'));
        Ok(Sso { config, redirect, http, client: RwLock::new(None) })
    }

    pub fn admins(&self) -> &Admins {
        &self.config.admins
    }

    /// The discovered client; `fresh` discovers again (new keys).
    async fn client(&self, fresh: bool) -> Result<Arc<OidcClient>, SsoError> {
        if !fresh && let Some(c) = self.client.read().await.as_ref() {
            return Ok(c.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| SsoError::Provider(e.to_string()))?;
        let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SsoError::Provider(format!("discovery failed: {}", crate::error::chain(&e))))?;
        let redirect = RedirectUrl::new(self.redirect.clone()).map_err(|e| SsoError::Provider(e.to_string()))?;
        let client = Arc::new(
            CoreClient::from_provider_metadata(
                meta,
                ClientId::new(self.config.client_id.clone()),
                Some(ClientSecret::new(self.config.client_secret.clone())),
            )
            .set_redirect_uri(redirect),
        );
        *self.client.write().await = Some(client.clone());
        Ok(client)
    }

    /// The provider's authorization URL for a new sign-in, and what the
    /// callback will need.
    pub async fn start(&self) -> Result<Start, SsoError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Start {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges `code` and checks the ID token; returns the verified,
    /// admitted email.
    pub async fn finish(&self, code: &str, nonce: &str, pkce_verifier: &str) -> Result<String, SsoError> {
        let client = self.client(false).await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| SsoError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| SsoError::Refused(format!("the code was refused: {}", crate::error::chain(&e))))?;
        let id_token = token.id_token().ok_or_else(|| SsoError::Refused("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_string());
        let claims = match verify(&client, id_token, &nonce) {
            Err(e) if unknown_key(&e) => {
                // The provider rotated its keys: fetch them again, once, and
                // check the same token (a code is good for one exchange).
                let fresh = self.client(true).await?;
                verify(&fresh, id_token, &nonce)
            }
            other => other,
        }
        .map_err(|e| SsoError::Refused(format!("the ID token was refused: {e}")))?;
        let email = claims.email().map(|e| e.as_str().to_lowercase()).ok_or_else(|| {
            SsoError::Refused("the provider did not say who you are (no email in the ID token)".into())
        })?;
        if claims.email_verified() != Some(true) {
            return Err(SsoError::Refused(format!("the provider has not verified {email}")));
        }
        if !self.config.admins.allows(&email) {
            return Err(SsoError::Refused(format!("{email} is not allowed to sign in to the console")));
        }
        Ok(email)
    }
}

fn verify(
    client: &OidcClient,
    token: &CoreIdToken,
    nonce: &Nonce,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let verifier =
        client.id_token_verifier().set_time_fn(|| chrono::Utc::now() - chrono::TimeDelta::seconds(SKEW_SECONDS));
    token.claims(&verifier, nonce).cloned()
}

fn unknown_key(e: &ClaimsVerificationError) -> bool {
    matches!(e, ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
}

#[cfg(test)]
mod tests {
    use super::Admins;

    #[test]
    fn admins_by_address_or_domain() {
        let a = Admins::parse("ada@example.com, @platform.example.org");
        assert!(a.allows("Ada@Example.com"));
        assert!(a.allows("bob@platform.example.org"));
        assert!(!a.allows("bob@example.com"));
        assert!(!a.allows("bob@evilplatform.example.org"));
        assert!(!a.allows("bob@platform.example.org.evil.io"));
        assert!(!Admins::parse("").allows("ada@example.com"));
    }
}
