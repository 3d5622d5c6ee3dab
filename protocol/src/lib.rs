//! Hetki's wire types, shared by the kiosk and the collector so the two cannot drift apart:
//! languages and localized text, survey definitions (with their validation and content hash),
//! the response a kiosk records, and the upload API between kiosk and collector.

pub mod csv;
pub mod errors;
pub mod files;
mod language;
mod response;
mod survey;
mod upload;

pub use language::{Language, Localized, Text, language_list_problems};
pub use response::{
    Answer, AnswerValue, ClockFacts, Display, DisplayTheme, EventInfo, Response, SurveyRef,
};
pub use survey::{
    ChoiceOption, DEFAULT_RESULTS_MINIMUM, FaceOption, MAX_CHOICE_OPTIONS, MAX_QUESTIONS,
    MIN_CHOICE_OPTIONS, Problem, Question, QuestionKind, SurveyDefinition, SurveyKind, check_id,
    default_face_labels,
};
pub use upload::{
    ApiError, ClockReading, HEALTH_PATH, HealthReport, MAX_BATCH_RESPONSES, MAX_BODY_BYTES,
    Outcome, RESPONSES_PATH, Receipt, SURVEYS_PATH, SurveyReceipt, SurveyStatus, UploadBatch,
    UploadReceipts,
};
