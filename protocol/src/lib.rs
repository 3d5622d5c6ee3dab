//! Hetki's wire types, shared by the kiosk and the collector so the two cannot drift apart:
//! languages and localized text, survey definitions (with their validation and content hash),
//! and the response a kiosk records.

mod language;
mod response;
mod survey;

pub use language::{Language, Localized, Text};
pub use response::{Answer, AnswerValue, ClockFacts, EventInfo, Response, SurveyRef};
pub use survey::{
    ChoiceOption, FaceOption, MAX_CHOICE_OPTIONS, MAX_QUESTIONS, MIN_CHOICE_OPTIONS, Problem,
    Question, QuestionKind, SurveyDefinition, SurveyKind, default_face_labels,
};
