//! The HTTP API (see `docs/api.md`). Every refusal is a 4xx with a JSON reason; a failing
//! database is a 503 the kiosk retries. Handlers never panic on input.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use hetki_protocol::{
    ApiError, HEALTH_PATH, MAX_BATCH_RESPONSES, MAX_BODY_BYTES, RESPONSES_PATH, SURVEYS_PATH,
    SurveyDefinition, SurveyReceipt, UploadBatch, UploadReceipts,
};

use crate::storage::{Storage, StorageError, TokenOwner};
use crate::token;

type Shared = Arc<dyn Storage>;

/// A refusal: the status and the reason the body carries.
struct Refusal {
    status: StatusCode,
    reason: String,
}

impl Refusal {
    fn new(status: StatusCode, reason: impl Into<String>) -> Refusal {
        Refusal {
            status,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ApiError { error: self.reason })).into_response();
        match self.status {
            StatusCode::UNAUTHORIZED => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            }
            _ => {}
        }
        response
    }
}

impl From<StorageError> for Refusal {
    fn from(error: StorageError) -> Refusal {
        tracing::error!(%error, "storage failed");
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the collector cannot store right now; try again later",
        )
    }
}

impl From<JsonRejection> for Refusal {
    fn from(rejection: JsonRejection) -> Refusal {
        Refusal::new(rejection.status(), rejection.body_text())
    }
}

pub fn router(storage: Shared) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(healthz))
        .route(RESPONSES_PATH, post(post_responses))
        .route(SURVEYS_PATH, post(post_survey))
        .fallback(|| async { Refusal::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            Refusal::new(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here")
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(storage)
}

/// Serves until the listener fails or ctrl-c/SIGTERM arrives.
pub async fn serve(storage: Shared, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // No client addresses are kept or logged: a response is the device's, not a person's.
    axum::serve(listener, router(storage))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Runs a storage call on a blocking thread: SQLite waits for the disk.
async fn blocking<T: Send + 'static>(
    storage: &Shared,
    call: impl FnOnce(&dyn Storage) -> Result<T, StorageError> + Send + 'static,
) -> Result<T, Refusal> {
    let storage = storage.clone();
    match tokio::task::spawn_blocking(move || call(storage.as_ref())).await {
        Ok(result) => Ok(result?),
        Err(error) => {
            tracing::error!(%error, "a storage task failed");
            Err(Refusal::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the collector cannot store right now; try again later",
            ))
        }
    }
}

/// The device the request's bearer token belongs to. Nobody but the token is asked: the
/// body never names a device.
async fn authenticate(storage: &Shared, headers: &HeaderMap) -> Result<String, Refusal> {
    let unauthorized = |reason: &str| Refusal::new(StatusCode::UNAUTHORIZED, reason);
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("missing Authorization: Bearer token"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unauthorized("the Authorization header is not a Bearer token"))?;
    let hash = token::hash(token);
    match blocking(storage, move |s| s.token_owner(&hash)).await? {
        Some(TokenOwner::Active(device)) => Ok(device),
        Some(TokenOwner::Revoked(_)) => Err(unauthorized("this device's token has been revoked")),
        None => Err(unauthorized("unknown token")),
    }
}

async fn post_responses(
    State(storage): State<Shared>,
    headers: HeaderMap,
    batch: Result<Json<UploadBatch>, JsonRejection>,
) -> Result<Json<UploadReceipts>, Refusal> {
    let device = authenticate(&storage, &headers).await?;
    let Json(batch) = batch?;
    if batch.responses.len() > MAX_BATCH_RESPONSES {
        return Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{} responses in one batch; send at most {MAX_BATCH_RESPONSES}",
                batch.responses.len()
            ),
        ));
    }
    let received_at = Utc::now();
    let count = batch.responses.len();
    let receipts = blocking(&storage, move |s| s.ingest(&device, &batch, received_at)).await?;
    tracing::debug!(count, "batch received");
    Ok(Json(UploadReceipts { receipts }))
}

async fn post_survey(
    State(storage): State<Shared>,
    headers: HeaderMap,
    survey: Result<Json<SurveyDefinition>, JsonRejection>,
) -> Result<Json<SurveyReceipt>, Refusal> {
    authenticate(&storage, &headers).await?;
    let Json(survey) = survey?;
    let problems = survey.problems();
    if !problems.is_empty() {
        let reasons: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the survey definition is not valid: {}", reasons.join("; ")),
        ));
    }
    let hash = survey.content_hash();
    let id = survey.id.clone();
    let received_at = Utc::now();
    let status = blocking(&storage, move |s| s.put_survey(&survey, received_at)).await?;
    Ok(Json(SurveyReceipt { id, hash, status }))
}
