//! A window showing only the kiosk's background: the reference `benches/window_frames.sh`
//! measures each screen's full frame beside, in the same X server and the same run.

use slint::ComponentHandle;

fn main() -> Result<(), slint::PlatformError> {
    hetki::ui::BlankWindow::new()?.run()
}
