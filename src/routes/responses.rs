//! `POST /api/v1/responses`: the survey answered over JSON.

use super::extract::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::responses::{self, AnswerIn, SubmitError};
use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(submit);
}

/// One answer: `value` for likert5 (1-5), nps (0-10) and hours (0-40);
/// `choices` (area ids, at most 3) for priority_pick; `text` for text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerJson {
    pub question_id: String,
    pub value: Option<f64>,
    pub choices: Option<Vec<String>>,
    pub text: Option<String>,
}

/// A response: the invitation token and the answers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseIn {
    pub token: String,
    pub answers: Vec<AnswerJson>,
}

/// Submit a response with an invitation token: 201 once, 409 for the same token afterwards.
#[utoipa::path(tag = "responses", request_body = ResponseIn,
    responses((status = 201, description = "stored"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 410, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/responses")]
async fn submit(state: web::Data<AppState>, body: ApiJson<ResponseIn>) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    if body.answers.len() > 200 {
        return Err(ApiError::invalid("answers", "too many answers"));
    }
    let answers: Vec<AnswerIn> = body
        .answers
        .into_iter()
        .map(|a| AnswerIn { question_id: a.question_id, value: a.value, choices: a.choices, text: a.text })
        .collect();
    let today = state.config.today();
    match responses::submit_token(&state.db, &state.forms, &state.submissions, &body.token, &answers, today).await {
        Ok(()) => Ok(HttpResponse::Created().json(serde_json::json!({"status": "stored"}))),
        Err(SubmitError::UnknownToken) => Err(ApiError::NotFound("no open invitation has this token".into())),
        Err(SubmitError::AlreadyAnswered) => Err(ApiError::Conflict {
            code: "already_answered",
            message: "this invitation has already been used".into(),
        }),
        Err(SubmitError::Closed) => Err(ApiError::Gone("this survey cycle is closed".into())),
        Err(SubmitError::Invalid(problems)) => {
            let p = &problems[0];
            let more =
                if problems.len() > 1 { format!(" (and {} more problems)", problems.len() - 1) } else { String::new() };
            Err(ApiError::invalid(&p.field, format!("{}{more}", p.message)))
        }
        Err(SubmitError::Store(e)) => Err(e.into()),
    }
}
