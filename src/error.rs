//! The HTTP layer's error type and its single mapping to status codes and the
//! JSON error body `{"error": "<code>", "message": "<text>"}` of the interface
//! contract. Internal details are logged, never sent.

use crate::domain::FieldError;
use crate::store::StoreError;
use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("missing, unknown or revoked credentials")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    #[error("too many requests; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error("something went wrong on our side")]
    Internal,
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `invalid`, `not_found`, `cycle_open`.
    pub error: String,
    /// A sentence for humans.
    pub message: String,
    /// The offending field, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(FieldError::new(field, message))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::Conflict { code: "conflict", message: message.into() }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict { code, .. } => code,
            ApiError::Gone(_) => "gone",
            ApiError::TooLarge(_) => "too_large",
            ApiError::UnsupportedMedia(_) => "unsupported_media_type",
            ApiError::Invalid(_) => "invalid",
            ApiError::TooManyRequests(_) => "rate_limited",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized) {
            res.insert_header(("WWW-Authenticate", "Bearer"));
        }
        match self {
            ApiError::Unavailable => {
                res.insert_header(("Retry-After", "5"));
            }
            ApiError::TooManyRequests(secs) => {
                res.insert_header(("Retry-After", secs.to_string()));
            }
            ApiError::UnsupportedMedia(_) => {
                res.insert_header(("Accept-Encoding", "identity"));
            }
            _ => {}
        }
        res.json(ErrorBody {
            error: self.code().to_string(),
            message: self.to_string(),
            field: match self {
                ApiError::Invalid(f) => Some(f.field.clone()),
                _ => None,
            },
        })
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::NotFound(m),
            StoreError::Conflict(m) => ApiError::conflict(m),
            StoreError::CycleOpen(message) => ApiError::Conflict { code: "cycle_open", message },
            StoreError::Invalid(f) => ApiError::Invalid(f),
            StoreError::Limited(secs) => ApiError::TooManyRequests(secs),
            e @ StoreError::Unavailable(_) => {
                tracing::warn!(error = %chain(&e), "database unavailable");
                ApiError::Unavailable
            }
            e @ (StoreError::Db(_) | StoreError::Render { .. } | StoreError::Broken(_)) => {
                tracing::error!(error = %chain(&e), "internal error");
                ApiError::Internal
            }
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        StoreError::from(e).into()
    }
}

/// An error and its causes on one line: `rendering the welcome email: Failed
/// to render ...: Variable `x` not found`. For logs and the CLI's one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out.lines().map(str::trim).collect::<Vec<_>>().join(" ")
}

/// Maps query-string errors (e.g. `?limit=abc`) to 422.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::Invalid(FieldError::new("query", err.to_string())).into()
}

/// Maps path errors to 404: a path that does not parse names nothing that exists.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("not found: {err}")).into()
}

/// The page layer's error: one mapping from what went wrong to an HTML page
/// through the base layout, with the right status, so a page never says
/// "could not reach our database" for something that is not that. (A form
/// with bad input is shown again by its handler, with what was typed.)
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No live session: 303 to the sign-in page, coming back to `next`.
    #[error("sign in first")]
    SignIn { next: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{}: {}", .0.field, .0.message)]
    Invalid(FieldError),
    #[error("too many attempts; try again in {0} seconds")]
    TooManyRequests(u64),
    #[error("{0}")]
    TooLarge(String),
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error("something went wrong on our side")]
    Internal,
}

/// Maps a console form that cannot be read (too large, not a form) to a page.
pub fn form_error(err: actix_web::error::UrlencodedError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::UrlencodedError;
    match err {
        UrlencodedError::Overflow { limit, .. } => {
            PageError::TooLarge(format!("The form is larger than {} KiB, so nothing was saved.", limit / 1024)).into()
        }
        other => PageError::Invalid(FieldError::new("form", other.to_string())).into(),
    }
}

/// The API's mapping, for pages: one place decides what is whose fault.
impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(m) => PageError::NotFound(m),
            ApiError::Conflict { message, .. } => PageError::Conflict(message),
            ApiError::Invalid(f) => PageError::Invalid(f),
            ApiError::Unavailable => PageError::Unavailable,
            ApiError::TooManyRequests(secs) => PageError::TooManyRequests(secs),
            _ => PageError::Internal,
        }
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<crate::export::LoadError> for PageError {
    fn from(e: crate::export::LoadError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<FieldError> for PageError {
    fn from(e: FieldError) -> Self {
        PageError::Invalid(e)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden(_) => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Conflict(_) => StatusCode::CONFLICT,
            PageError::Gone(_) => StatusCode::GONE,
            PageError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            PageError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (heading, message) = match self {
            PageError::SignIn { next } => {
                let to = format!(
                    "/admin/login?next={}",
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return HttpResponse::SeeOther().insert_header(("Location", to)).finish();
            }
            PageError::Forbidden(m) => ("Not allowed", m.clone()),
            PageError::NotFound(m) => ("Not found", m.clone()),
            PageError::Conflict(m) => ("That did not work", m.clone()),
            PageError::Gone(m) => ("No longer available", m.clone()),
            PageError::Invalid(f) => ("Please check what you entered", format!("{}: {}", f.field, f.message)),
            PageError::TooManyRequests(s) => {
                ("Too many attempts", format!("Please wait {} minutes and try again.", s.div_ceil(60)))
            }
            PageError::TooLarge(m) => ("Too large", m.clone()),
            PageError::Unavailable => (
                "Please try again",
                "The database is busy or unreachable just now. Nothing was changed: try again in a minute.".into(),
            ),
            PageError::Internal => {
                ("Something went wrong", "Something went wrong on our side. It has been logged.".into())
            }
        };
        let mut res =
            crate::pages::notice(self.status_code(), heading, &message, Some(("/admin", "Back to the console")), None);
        match self {
            PageError::Unavailable => {
                res.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from_static("5"),
                );
            }
            PageError::TooManyRequests(secs) => {
                if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&secs.to_string()) {
                    res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}
