//! Request extractors shared by the routes: JSON bodies whose errors name the
//! field, the API token check, and pagination parameters.

use crate::domain::FieldError;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{self, PageParams};
use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use base64::Engine;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::{future::Future, pin::Pin};

/// Largest JSON body accepted by the API.
pub const JSON_LIMIT: usize = 64 * 1024;

/// A JSON body. Malformed JSON answers 400, a missing or mistyped field 422
/// naming it (`teams[2].slug`), a body over [`JSON_LIMIT`] 413, another
/// content type 415.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
            .unwrap_or(false);
        let encoded = req
            .headers()
            .get(header::CONTENT_ENCODING)
            .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
        let declared: Option<usize> =
            req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMedia("send the body as Content-Type: application/json".into()));
            }
            if encoded {
                return Err(ApiError::UnsupportedMedia("compressed request bodies are not accepted".into()));
            }
            if declared.is_some_and(|n| n > JSON_LIMIT) {
                return Err(ApiError::TooLarge(format!("the body is larger than the limit of {JSON_LIMIT} bytes")));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(ApiError::TooLarge(format!("the body is larger than the limit of {JSON_LIMIT} bytes")));
                }
                body.extend_from_slice(&chunk);
            }
            if std::str::from_utf8(&body).is_err() {
                return Err(ApiError::invalid("body", "is not valid UTF-8"));
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

/// Parses a JSON document, naming the field in data errors. Every body of
/// the API is an object: serde would read a struct from an array of its
/// fields in order (`["ci", "CI", "feedback_loops"]`), which the contract does
/// not allow, so any other top level is refused first.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok() {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let inner = e.inner();
            if inner.is_data() {
                let msg = inner.to_string();
                let path = e.path().to_string();
                let field = if path == "." {
                    // A missing field names itself in the message.
                    msg.split('`').nth(1).unwrap_or("body").to_string()
                } else {
                    path
                };
                Err(ApiError::Invalid(FieldError::new(field, msg)))
            } else {
                Err(ApiError::BadRequest(format!("malformed JSON: {inner}")))
            }
        }
    }
}

/// Credentials, then a body, checked in that order: a request with missing or
/// bad credentials answers 401 whatever its body holds, so an unauthenticated
/// caller learns nothing about what the route would accept. (Extractors side
/// by side in a handler are polled together, and the body's error would win.)
pub struct Authed<A, B>(pub A, pub B);

impl<A, B> FromRequest for Authed<A, B>
where
    A: FromRequest<Error = ApiError> + 'static,
    B: FromRequest<Error = ApiError> + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let auth = A::from_request(req, payload);
        let body = B::from_request(req, payload);
        Box::pin(async move {
            let a = auth.await?;
            Ok(Authed(a, body.await?))
        })
    }
}

/// The caller holds a live API token (the platform team).
pub struct Admin {
    /// Who acts, for the audit log: `token:<name>`.
    pub actor: String,
}

/// The bearer token of a request, if it has one.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// A bearer API token; or, for a GET (the pages' JSON twins), the
    /// console's session cookie. Writes to the API always need a token.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or(ApiError::Internal)?;
            let Some(token) = token else {
                if req.method() == actix_web::http::Method::GET
                    && let Some((s, _)) = super::console::session::of_request(&state, &req).await?
                {
                    return Ok(Admin { actor: format!("admin:{}", s.admin.email) });
                }
                return Err(ApiError::Unauthorized);
            };
            let row = store::tokens::verify(&state.db, &token).await?.ok_or(ApiError::Unauthorized)?;
            Ok(Admin { actor: format!("token:{}", row.name) })
        })
    }
}

/// The caller holds an active member's personal token.
pub struct MemberAuth(pub crate::entities::member::Model);

impl FromRequest for MemberAuth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let state = state.ok_or(ApiError::Internal)?;
            let token = token.ok_or(ApiError::Unauthorized)?;
            let view = store::members::by_token(&state.db, &token).await?.ok_or(ApiError::Unauthorized)?;
            Ok(MemberAuth(view.member))
        })
    }
}

/// Either a member token (a developer) or an API token (the platform team).
pub enum Caller {
    Member(crate::entities::member::Model),
    Admin(Admin),
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // API tokens start with `dp_`; a member token may too, by chance, so a
        // `dp_` token that is no API token is tried as a member token.
        let looks_like_api = bearer(req).is_some_and(|t| t.starts_with("dp_"));
        let admin = looks_like_api.then(|| Admin::from_request(req, payload));
        let member = MemberAuth::from_request(req, payload);
        Box::pin(async move {
            if let Some(admin) = admin {
                match admin.await {
                    Ok(a) => return Ok(Caller::Admin(a)),
                    Err(ApiError::Unauthorized) => {}
                    Err(e) => return Err(e),
                }
            }
            member.await.map(|m| Caller::Member(m.0))
        })
    }
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageParams, ApiError> {
        let limit = match self.limit.as_deref() {
            None | Some("") => 50,
            Some(s) => match s.parse::<u64>() {
                Ok(n) if (1..=200).contains(&n) => n,
                _ => return Err(ApiError::invalid("limit", "must be a whole number from 1 to 200")),
            },
        };
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor this API gave out"))?,
            ),
        };
        Ok(PageParams { limit, after })
    }
}

/// The envelope of every JSON list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListOf<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> ListOf<T> {
    pub fn from_page<U>(page: store::Page<U>, f: impl FnMut(U) -> T) -> Self {
        let next_cursor =
            page.next_after.as_ref().map(|k| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(k.as_bytes()));
        ListOf { items: page.items.into_iter().map(f).collect(), next_cursor }
    }
}

/// For PATCH bodies: `null` means "clear", an absent field (with
/// `#[serde(default)]`) means "leave as it is".
pub fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
