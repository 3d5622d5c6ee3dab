//! The staff panel's side of the globals: its facts, its choices and its notices.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use hetki_protocol::{EventInfo, Language};
use slint::ComponentHandle;

use super::Scenery;
use super::present::update_rows;
use crate::config::{PlaceNames, SurveyChoice};
use crate::panel::{PanelPlace, PanelStatus};
use crate::session::Session;
use crate::store::{self, FailureCause};
use crate::ui::{AppWindow, KioskState, PanelChoice, PanelInfo, UploadTrouble};

/// What the panel's notice line says (`KioskState.panel-notice`).
pub mod notice {
    pub const UPLOADING: i32 = 1;
    pub const NO_COLLECTOR: i32 = 2;
    pub const EXPORTED: i32 = 3;
    pub const EXPORT_FAILED: i32 = 4;
    pub const NOT_SAVED: i32 = 5;
    pub const EXPORTING: i32 = 6;
    /// The upload staff asked for went through ([`super::upload_outcome`]).
    pub const UPLOADED: i32 = 7;
    /// It failed: the panel's last error says why.
    pub const UPLOAD_FAILED: i32 = 8;

    /// Why a write failed (`KioskState.panel-notice-reason`), in words staff can act on; 0 shows
    /// the error's own text.
    pub fn reason(error: &(dyn std::error::Error + 'static)) -> i32 {
        super::failure_cause(super::FailureCause::of(error))
    }
}

/// A failed write's cause as the panel's properties name it (`panel-notice-reason`,
/// `store-failure-cause`): each place has words for the codes that can reach it.
pub(super) fn failure_cause(cause: FailureCause) -> i32 {
    match cause {
        FailureCause::Other => 0,
        FailureCause::DiskFull => 1,
        FailureCause::ReadOnly => 2,
        FailureCause::NoPermission => 3,
        FailureCause::Missing => 4,
        FailureCause::Locked => 5,
    }
}

/// Shows on the panel that a write failed: which notice, why in words staff can act on, and
/// the error's own text with its causes ("export: cannot create …: No such file").
pub(super) fn show_failure(
    state: &KioskState,
    which: i32,
    error: &(dyn std::error::Error + 'static),
) {
    state.set_panel_notice(which);
    state.set_panel_notice_reason(notice::reason(error));
    state.set_panel_notice_detail(hetki_protocol::errors::one_line(error).into());
}

/// What the kiosk runs, and what staff may choose from (`surveys`, `events`), into the panel;
/// `today` on the kiosk's clock marks today's evening.
pub fn show_session(
    ui: &AppWindow,
    session: &Session,
    (surveys, events): (&[SurveyChoice], &[EventInfo]),
    scenery: &Scenery,
    today: NaiveDate,
) {
    let state = ui.global::<KioskState>();
    let language = Language::from_code(&state.get_language()).unwrap_or(Language::Fi);
    let surveys = surveys
        .iter()
        .map(|SurveyChoice { survey, .. }| PanelChoice {
            label: survey.title.get(language).into(),
            detail: survey.id.clone().into(),
            current: survey.id == session.survey.id,
        });
    let events = events.iter().map(|event| PanelChoice {
        label: event.name.get(language).into(),
        detail: event_detail(event, &scenery.place_names, language, today).into(),
        current: *event == session.event,
    });
    update_rows(
        state.get_panel_surveys(),
        |m| state.set_panel_surveys(m),
        surveys,
        PartialEq::eq,
    );
    update_rows(
        state.get_panel_events(),
        |m| state.set_panel_events(m),
        events,
        PartialEq::eq,
    );
    state.set_test_mode(session.test_mode());
    state.set_panel_overridden(!session.overrides.is_empty());
    state.set_config_file_name(scenery.panel.config_file_name.as_str().into());
}

/// Day, place, area and topic: what tells two evenings at the same hall apart, today's
/// marked: "Tänään 24.11.2026 · Sellon kirjasto · Suur-Leppävaara", the area and topic in
/// `language` where `names` give it.
fn event_detail(
    event: &EventInfo,
    names: &PlaceNames,
    language: Language,
    today: NaiveDate,
) -> String {
    let day = event
        .date_text(language)
        .map(|day| match event.date == Some(today) {
            true => {
                let word = match language {
                    Language::Fi => "Tänään",
                    Language::Sv => "I dag",
                    Language::En => "Today",
                };
                format!("{word} {day}")
            }
            false => day,
        });
    day.into_iter()
        .chain([event.place.get(language).to_owned()])
        .chain(
            [
                event.area.as_deref().map(|a| names.area(a, language)),
                event.topic.as_deref().map(|t| names.topic(t, language)),
            ]
            .into_iter()
            .flatten()
            .map(str::to_owned),
        )
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        // The dot stays with the part before it: a wrapped line never starts with one.
        .join("\u{a0}· ")
}

/// The panel's facts before the buffer is read: which device this is, and "…" where
/// its figures go.
pub(super) fn panel_unread(place: &PanelPlace) -> PanelInfo {
    let unread: slint::SharedString = "…".into();
    PanelInfo {
        device_id: place.device_id.as_str().into(),
        version: env!("CARGO_PKG_VERSION").into(),
        today: unread.clone(),
        total: unread.clone(),
        pending: unread.clone(),
        oldest_pending: unread.clone(),
        last_upload: unread.clone(),
        free_disk: unread,
        // A question to the kernel, not the disk.
        clock_synchronized: crate::clock::clock_synchronized(),
        ..PanelInfo::default()
    }
}

fn ui_trouble(trouble: store::UploadTrouble) -> UploadTrouble {
    match trouble {
        store::UploadTrouble::Unreachable => UploadTrouble::Unreachable,
        store::UploadTrouble::TokenRefused => UploadTrouble::TokenRefused,
        store::UploadTrouble::Busy => UploadTrouble::Busy,
        store::UploadTrouble::CollectorFault => UploadTrouble::CollectorFault,
        store::UploadTrouble::Refused => UploadTrouble::Refused,
        store::UploadTrouble::Buffer => UploadTrouble::Buffer,
        store::UploadTrouble::Other => UploadTrouble::Other,
    }
}

/// What became of the upload staff asked for at `asked` (a notice), once the buffer records
/// an outcome after it; `None` while it is under way. Times are kept to the millisecond.
pub(super) fn upload_outcome(upload: &store::UploadStatus, asked: DateTime<Utc>) -> Option<i32> {
    let since_asked =
        |at: Option<DateTime<Utc>>| at.is_some_and(|at| at > asked - TimeDelta::milliseconds(1));
    if upload.last_error.is_some() && since_asked(upload.last_error_at) {
        Some(notice::UPLOAD_FAILED)
    } else if since_asked(upload.last_success_at) {
        Some(notice::UPLOADED)
    } else {
        None
    }
}

/// The panel's facts as text.
pub fn panel_info(status: &PanelStatus, zone: chrono_tz::Tz, language: Language) -> PanelInfo {
    let time = |at| crate::panel::time(at, zone, language);
    let u = &status.upload;
    PanelInfo {
        device_id: status.device_id.clone().into(),
        version: status.version.clone().into(),
        today: status.today.to_string().into(),
        total: status.total.to_string().into(),
        pending: u.pending.to_string().into(),
        oldest_pending: time(u.oldest_pending).into(),
        last_upload: time(u.last_success_at).into(),
        last_error_at: match &u.last_error {
            Some(_) => time(u.last_error_at).into(),
            None => "".into(),
        },
        last_error_trouble: u
            .last_error_trouble
            .map_or(UploadTrouble::Other, ui_trouble),
        last_error_detail: u.last_error.clone().unwrap_or_default().into(),
        clock_synchronized: status.clock_synchronized,
        free_disk: status
            .free_disk_bytes
            .map(|b| crate::panel::disk_size(b, language))
            .unwrap_or_else(|| "–".into())
            .into(),
        disk_low: status.disk_low,
        upload_overdue: status.upload_overdue,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    use chrono::{NaiveDate, TimeDelta, Utc};
    use hetki_protocol::{EventInfo, Language, Text};

    use super::notice::{self, reason};
    use super::upload_outcome;
    use crate::config::PlaceNames;
    use crate::store::UploadStatus;

    #[test]
    fn an_upload_asked_for_is_told_by_what_the_buffer_records_after_it() {
        let asked = Utc::now();
        let before = asked - TimeDelta::seconds(5);
        let after = asked + TimeDelta::milliseconds(300);
        let failed = |at| UploadStatus {
            last_error: Some("connection refused".into()),
            last_error_at: Some(at),
            last_success_at: Some(before),
            ..Default::default()
        };
        assert_eq!(
            upload_outcome(&failed(before), asked),
            None,
            "an older failure"
        );
        assert_eq!(
            upload_outcome(&failed(after), asked),
            Some(notice::UPLOAD_FAILED)
        );
        // Kept to the millisecond: a success in the same millisecond is this one.
        let succeeded = UploadStatus {
            last_success_at: Some(asked - TimeDelta::microseconds(500)),
            ..Default::default()
        };
        assert_eq!(upload_outcome(&succeeded, asked), Some(notice::UPLOADED));
        assert_eq!(upload_outcome(&UploadStatus::default(), asked), None);
    }

    #[test]
    fn a_failed_write_is_told_by_its_cause_however_deep() {
        assert_eq!(reason(&Error::from(ErrorKind::StorageFull)), 1);
        assert_eq!(reason(&Error::from(ErrorKind::ReadOnlyFilesystem)), 2);
        let wrapped = anyhow::Error::from(Error::from(ErrorKind::NotFound)).context("export");
        assert_eq!(reason(wrapped.as_ref()), 4);
        assert_eq!(reason(&Error::other("odd")), 0, "shown as it is");
        let wrapped = Error::other(crate::export::ExportError::Write(Error::from(
            ErrorKind::StorageFull,
        )));
        assert_eq!(reason(&wrapped), 1, "through io::Error::other");
        assert_eq!(reason(&Error::from_raw_os_error(libc::ENODEV)), 4);
    }

    #[test]
    fn todays_evening_is_marked_among_the_events() {
        let evening = EventInfo {
            name: "Asukasilta".into(),
            place: "Sello".into(),
            area: Some("Suur-Leppävaara".into()),
            topic: None,
            date: NaiveDate::from_ymd_opt(2027, 1, 21),
        };
        let cases = [
            (
                Language::Fi,
                21,
                "Tänään 21.1.2027\u{a0}· Sello\u{a0}· Suur-Leppävaara",
            ),
            (
                Language::Sv,
                21,
                "I dag 21.1.2027\u{a0}· Sello\u{a0}· Suur-Leppävaara",
            ),
            (
                Language::Fi,
                20,
                "21.1.2027\u{a0}· Sello\u{a0}· Suur-Leppävaara",
            ),
            (
                Language::En,
                20,
                "2027-01-21\u{a0}· Sello\u{a0}· Suur-Leppävaara",
            ),
        ];
        let names = PlaceNames::default();
        for (language, today, detail) in cases {
            let today = NaiveDate::from_ymd_opt(2027, 1, today).unwrap();
            assert_eq!(
                super::event_detail(&evening, &names, language, today),
                detail
            );
        }
    }

    /// Staff read the area and topic in the panel's language where the device file gives it,
    /// and as the event names them (in Finnish) where it does not.
    #[test]
    fn an_events_area_and_topic_are_named_in_the_panels_language() {
        let evening = EventInfo {
            name: "Asukasilta".into(),
            place: "Sello".into(),
            area: Some("Suur-Leppävaara".into()),
            topic: Some("Liikenne".into()),
            date: None,
        };
        let per_language = |fi: &str, sv: &str| {
            Text::PerLanguage([(Language::Fi, fi.into()), (Language::Sv, sv.into())].into())
        };
        let names = PlaceNames {
            districts: vec![per_language("Suur-Leppävaara", "Stor-Alberga")],
            topics: vec!["Liikenne".into()],
        };
        let detail = |language| super::event_detail(&evening, &names, language, NaiveDate::MIN);
        assert_eq!(
            detail(Language::Sv),
            "Sello\u{a0}· Stor-Alberga\u{a0}· Liikenne"
        );
        assert_eq!(
            detail(Language::Fi),
            "Sello\u{a0}· Suur-Leppävaara\u{a0}· Liikenne"
        );
        // No English name given: the Finnish one.
        assert_eq!(
            detail(Language::En),
            "Sello\u{a0}· Suur-Leppävaara\u{a0}· Liikenne"
        );
    }
}
