//! The collector's API as the kiosk calls it. Only HTTP lives here; what to send and what
//! to make of the answer is the uploader's business.

use std::time::Duration;

use hetki_protocol::{
    ApiError, RESPONSES_PATH, SURVEYS_PATH, SurveyDefinition, SurveyReceipt, UploadReceipts,
};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};

use super::backoff::parse_retry_after;
use crate::config::Token;
use crate::store::UploadTrouble;

/// What came back from one request.
#[derive(Debug)]
pub enum Reply<T> {
    Ok(T),
    /// The collector refused the request as it was (4xx other than 401/403/408/429).
    Refused {
        status: StatusCode,
        reason: String,
    },
    /// Try again later: network trouble, 5xx, 429, a refused token.
    Later {
        trouble: UploadTrouble,
        reason: String,
        retry_after: Option<Duration>,
    },
}

pub struct CollectorClient {
    http: reqwest::Client,
    responses_url: String,
    surveys_url: String,
    authorization: String,
}

impl CollectorClient {
    pub fn new(endpoint: &str, token: &Token) -> Result<CollectorClient, reqwest::Error> {
        // TLS through rustls with the ring provider (no OpenSSL); installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("hetki/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        let base = endpoint.trim_end_matches('/');
        Ok(CollectorClient {
            http,
            responses_url: format!("{base}{RESPONSES_PATH}"),
            surveys_url: format!("{base}{SURVEYS_PATH}"),
            authorization: format!("Bearer {}", token.secret()),
        })
    }

    pub async fn send_survey(&self, survey: &SurveyDefinition) -> Reply<SurveyReceipt> {
        let body = match serde_json::to_vec(survey) {
            Ok(body) => body,
            Err(e) => {
                return Reply::Later {
                    trouble: UploadTrouble::Other,
                    reason: e.to_string(),
                    retry_after: None,
                };
            }
        };
        self.post(&self.surveys_url, body).await
    }

    /// Sends a batch already in JSON (the stored bodies go out as they are).
    pub async fn send_batch(&self, body: Vec<u8>) -> Reply<UploadReceipts> {
        self.post(&self.responses_url, body).await
    }

    async fn post<T: serde::de::DeserializeOwned>(&self, url: &str, body: Vec<u8>) -> Reply<T> {
        let sent = self
            .http
            .post(url)
            .header(AUTHORIZATION, &self.authorization)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Reply::Later {
                    trouble: UploadTrouble::Unreachable,
                    reason: format!("cannot reach the collector: {}", without_url(error)),
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => {
                return Reply::Later {
                    trouble: UploadTrouble::Unreachable,
                    reason: format!("the collector's answer was cut off: {}", without_url(error)),
                    retry_after: None,
                };
            }
        };
        if status.is_success() {
            return match serde_json::from_slice(&bytes) {
                Ok(value) => Reply::Ok(value),
                Err(e) => Reply::Later {
                    trouble: UploadTrouble::CollectorFault,
                    reason: format!("the collector's answer is not understood: {e}"),
                    retry_after: None,
                },
            };
        }
        let reason = serde_json::from_slice::<ApiError>(&bytes)
            .map(|e| e.error)
            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).chars().take(200).collect());
        let reason = format!("{status}: {reason}");
        let trouble = match status {
            // The request was too slow for a proxy on the way: a slow link, not a refusal.
            StatusCode::REQUEST_TIMEOUT => UploadTrouble::Unreachable,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => UploadTrouble::TokenRefused,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => UploadTrouble::Busy,
            s if s.is_client_error() => return Reply::Refused { status, reason },
            _ => UploadTrouble::CollectorFault,
        };
        Reply::Later {
            trouble,
            reason,
            retry_after,
        }
    }
}

/// The error's text without the URL (which is in the config anyway) and its inner causes.
fn without_url(error: reqwest::Error) -> String {
    hetki_protocol::errors::one_line(&error.without_url())
}
