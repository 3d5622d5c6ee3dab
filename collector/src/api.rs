//! The HTTP API (see `docs/api.md`). Every refusal is a 4xx with a JSON reason; a failing
//! database is a 503 the kiosk retries. Handlers never panic on input.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use hetki_protocol::{
    ApiError, HEALTH_PATH, MAX_BATCH_RESPONSES, MAX_BODY_BYTES, Outcome, RESPONSES_PATH,
    SURVEYS_PATH, SurveyDefinition, SurveyReceipt, UploadBatch, UploadReceipts,
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

    /// The database failed: not the client's fault, so a 503 it retries.
    fn unavailable() -> Refusal {
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the collector cannot store right now; try again later",
        )
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        // Who asked is not logged: the collector keeps no client addresses.
        tracing::info!(status = self.status.as_u16(), reason = %self.reason, "request refused");
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
        Refusal::unavailable()
    }
}

/// An oversized body is still read (and dropped) up to this much, so the client, which is
/// still sending, gets the 413 instead of a connection reset.
const DRAIN_LIMIT: usize = 8 * MAX_BODY_BYTES;

/// A body that stops arriving for this long is refused, so a client that sends less than its
/// Content-Length cannot hold a connection open for ever (nginx's `client_body_timeout`).
const BODY_STALL: Duration = Duration::from_secs(60);
/// Nor may a trickle take longer than this in all: a kiosk gives up on a request after 60 s.
const BODY_DEADLINE: Duration = Duration::from_secs(120);

/// A JSON request body of at most `MAX_BODY_BYTES`: 415 without the JSON content type, 413
/// when larger, 400 when not JSON, 422 when JSON of the wrong shape, 408 when it stalls.
struct JsonBody<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, _: &S) -> Result<Self, Refusal> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        let too_large = || {
            Refusal::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {MAX_BODY_BYTES} bytes; send smaller batches"),
            )
        };
        // Said at once when the client says so itself, rather than after reading it all.
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
            return Err(too_large());
        }
        let (bytes, size) = tokio::time::timeout(BODY_DEADLINE, read_body(request.into_body()))
            .await
            .map_err(|_| {
                Refusal::new(
                    StatusCode::REQUEST_TIMEOUT,
                    format!(
                        "the body took over {} s to arrive; send smaller batches",
                        BODY_DEADLINE.as_secs()
                    ),
                )
            })??;
        if size > MAX_BODY_BYTES {
            return Err(too_large());
        }
        if !is_json {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as Content-Type: application/json",
            ));
        }
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            let status = match e.classify() {
                serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            Refusal::new(status, format!("the body is not a valid request: {e}"))
        })
    }
}

/// The body's first `MAX_BODY_BYTES`, and its whole size as far as it was read (up to
/// `DRAIN_LIMIT`).
async fn read_body(mut body: axum::body::Body) -> Result<(Vec<u8>, usize), Refusal> {
    use http_body_util::BodyExt;
    let mut bytes = Vec::new();
    let mut size = 0;
    loop {
        let Ok(frame) = tokio::time::timeout(BODY_STALL, body.frame()).await else {
            return Err(Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the body stopped arriving for {} s; send it again",
                    BODY_STALL.as_secs()
                ),
            ));
        };
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            )
        })?;
        if let Ok(data) = frame.into_data() {
            size += data.len();
            if size <= MAX_BODY_BYTES {
                bytes.extend_from_slice(&data);
            } else if size > DRAIN_LIMIT {
                break;
            }
        }
    }
    Ok((bytes, size))
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
        .with_state(storage)
}

/// How long a stop waits for requests under way (a batch being stored) before it closes
/// their connections.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Serves until ctrl-c/SIGTERM arrives, then lets requests under way finish (for at most
/// `STOP_GRACE`). HTTP/1.1 only: TLS and HTTP/2 are the proxy's in front. A client gets
/// `header_timeout` to send a request's headers: one that stalls, or connects and sends
/// nothing, would otherwise hold its connection for ever, and the server at a stop.
pub async fn serve(
    storage: Shared,
    listener: tokio::net::TcpListener,
    header_timeout: Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let service = router(storage).map_request(|request: hyper::Request<hyper::body::Incoming>| {
        request.map(axum::body::Body::new)
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let connections = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown_signal());
    loop {
        // No client addresses are kept or logged: a response is the device's, not a person's.
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: a moment's rest, and accept again.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(service.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "a connection ended in error");
            }
        });
    }
    tokio::select! {
        () = connections.shutdown() => {}
        () = tokio::time::sleep(STOP_GRACE) => {
            tracing::warn!("stopped with requests still under way: their clients send them again");
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// 200 only while responses could be stored: 503 (as an upload would get) while the database
/// cannot be written.
async fn healthz(State(storage): State<Shared>) -> Result<Json<serde_json::Value>, Refusal> {
    blocking(&storage, |s| s.can_write()).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
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
            Err(Refusal::unavailable())
        }
    }
}

/// The device the request's bearer token belongs to, checked before the body is looked at.
/// The token alone decides: a name in the body is only checked against it.
struct Device(String);

impl FromRequestParts<Shared> for Device {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, storage: &Shared) -> Result<Self, Refusal> {
        let unauthorized = |reason: &str| Refusal::new(StatusCode::UNAUTHORIZED, reason);
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| unauthorized("missing Authorization: Bearer token"))?;
        // The scheme's name is case-insensitive (RFC 9110, section 11.1).
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("the Authorization header is not a Bearer token"))?;
        let hash = token::hash(token);
        match blocking(storage, move |s| s.token_owner(&hash)).await? {
            Some(TokenOwner::Active(device)) => Ok(Device(device)),
            Some(TokenOwner::Revoked(_)) => {
                Err(unauthorized("this device's token has been revoked"))
            }
            None => Err(unauthorized("unknown token")),
        }
    }
}

async fn post_responses(
    State(storage): State<Shared>,
    Device(device): Device,
    JsonBody(batch): JsonBody<UploadBatch>,
) -> Result<Json<UploadReceipts>, Refusal> {
    if let Some(claimed) = &batch.device_id
        && *claimed != device
    {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "this token was issued for device {device}, but the kiosk's device_id is \
                 {claimed}: give that kiosk a token of its own (hetki-collector device add \
                 {claimed}), or set its device_id to {device}"
            ),
        ));
    }
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
    let name = device.clone();
    let receipts = blocking(&storage, move |s| s.ingest(&name, &batch, received_at)).await?;
    let count =
        |outcome: fn(&Outcome) -> bool| receipts.iter().filter(|r| outcome(&r.outcome)).count();
    tracing::info!(
        device,
        stored = count(|o| matches!(o, Outcome::Stored)),
        already_had = count(|o| matches!(o, Outcome::AlreadyHad)),
        rejected = count(|o| matches!(o, Outcome::Rejected { .. })),
        unknown_survey = count(|o| matches!(o, Outcome::UnknownSurvey)),
        "batch received"
    );
    Ok(Json(UploadReceipts { receipts }))
}

async fn post_survey(
    State(storage): State<Shared>,
    Device(device): Device,
    JsonBody(survey): JsonBody<SurveyDefinition>,
) -> Result<Json<SurveyReceipt>, Refusal> {
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
    tracing::info!(
        device,
        survey = id,
        hash,
        ?status,
        "survey definition received"
    );
    Ok(Json(SurveyReceipt { id, hash, status }))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use axum::body::{Body, Bytes, HttpBody};
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::SqliteStorage;

    /// A body that sends its first part and then nothing more, never ending.
    struct Stalls(Option<Bytes>);

    impl HttpBody for Stalls {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            match self.0.take() {
                Some(part) => Poll::Ready(Some(Ok(http_body::Frame::data(part)))),
                None => Poll::Pending,
            }
        }
    }

    /// A body that sends one byte every 59 s, never ending.
    struct Trickle(Pin<Box<tokio::time::Sleep>>);

    impl HttpBody for Trickle {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            context: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            if self.0.as_mut().poll(context).is_pending() {
                return Poll::Pending;
            }
            let next = tokio::time::Instant::now() + Duration::from_secs(59);
            self.0.as_mut().reset(next);
            Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(b" ")))))
        }
    }

    /// Posts `body` declaring `length`, as kiosk-1; the status and the JSON reason.
    async fn post(storage: &Shared, length: &str, body: Body) -> (StatusCode, String) {
        let request = Request::post(RESPONSES_PATH)
            .header(header::AUTHORIZATION, "Bearer secret")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, length)
            .body(body)
            .unwrap();
        let response = router(storage.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let reason: ApiError = serde_json::from_slice(&body).unwrap();
        (status, reason.error)
    }

    fn storage(dir: &tempfile::TempDir) -> Shared {
        let storage = SqliteStorage::open(&dir.path().join("c.sqlite3")).unwrap();
        storage
            .add_device("kiosk-1", &token::hash("secret"), Utc::now())
            .unwrap();
        Arc::new(storage)
    }

    /// A batch of one response that `storage` stores: to a survey it has, from kiosk-1.
    fn a_good_batch(storage: &Shared) -> String {
        let faces = [1, 2, 3].map(|score| serde_json::json!({"score": score, "label": "x"}));
        let survey: SurveyDefinition = serde_json::from_value(serde_json::json!({
            "id": "s", "kind": "feedback", "title": "S", "languages": ["fi"],
            "questions": [{"id": "q", "text": "Q?", "skippable": false,
                "kind": {"type": "faces", "faces": faces}}]
        }))
        .unwrap();
        storage.put_survey(&survey, Utc::now()).unwrap();
        let clock = serde_json::json!({"boot_id": "b", "monotonic_ms": 5, "synchronized": true});
        serde_json::json!({
            "sent": {"wall": Utc::now(), "clock": clock},
            "responses": [{"id": "01890a5d-ac96-774b-bcce-b302099a8057", "seq": 1,
                "survey": {"id": "s", "hash": survey.content_hash()},
                "event": {"name": "E", "place": "P"}, "language": "fi", "complete": true,
                "recorded_at": Utc::now(), "clock": clock,
                "answers": [{"question": "q", "value": {"kind": "face", "score": 2}}]}]
        })
        .to_string()
    }

    fn stored(storage: &Shared) -> u64 {
        storage
            .for_each_response(None, Default::default(), &mut |_| Ok(()))
            .unwrap()
    }

    // Paused time runs ahead whenever nothing else can: the minutes pass at once.
    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_or_trickles_gets_a_408_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(&dir);
        // All of a good response arrives, then the body stops short of its end.
        let batch = a_good_batch(&storage);
        let (cut, _) = batch.split_at(batch.rfind(']').unwrap());
        let stalls = Body::new(Stalls(Some(Bytes::from(cut.to_owned()))));
        let length = batch.len().to_string();
        let (status, reason) = post(&storage, &length, stalls).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert!(reason.contains("stopped arriving"), "{reason}");
        let trickle = Trickle(Box::pin(tokio::time::sleep(Duration::ZERO)));
        let (status, reason) = post(&storage, "1000", Body::new(trickle)).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert!(reason.contains("took over 120 s"), "{reason}");
        assert_eq!(stored(&storage), 0);
        // Whole, the same batch is stored.
        let request = Request::post(RESPONSES_PATH)
            .header(header::AUTHORIZATION, "Bearer secret")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(batch))
            .unwrap();
        let response = router(storage.clone()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(stored(&storage), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_declared_too_large_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(&dir);
        // It would stall: the refusal comes first.
        let body = Body::new(Stalls(Some(Bytes::from_static(b"{}"))));
        let (status, reason) = post(&storage, "999999999", body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(reason.contains("send smaller batches"), "{reason}");
    }
}
