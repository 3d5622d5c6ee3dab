//! Rendering without a display: Slint's software renderer into a buffer we own. Used by
//! `hetki screenshot` and the render benchmark.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel};

/// Gives every component a window of its own that renders into memory.
struct HeadlessPlatform {
    size: PhysicalSize,
    /// The window made last, for [`HeadlessWindow::take`] to pick up.
    made: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
        window.set_size(self.size);
        *self.made.borrow_mut() = Some(window.clone());
        Ok(window)
    }
}

/// Makes Slint render into memory for the rest of this process, every window at
/// `width`×`height`; call before creating any component.
pub fn install(width: u32, height: u32) -> Result<Headless, slint::PlatformError> {
    let made = Rc::new(RefCell::new(None));
    let size = PhysicalSize::new(width, height);
    slint::platform::set_platform(Box::new(HeadlessPlatform {
        size,
        made: made.clone(),
    }))
    .map_err(|e| slint::PlatformError::Other(e.to_string()))?;
    Ok(Headless { made })
}

/// The installed headless platform.
pub struct Headless {
    made: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
}

/// A window of a fixed size that renders into memory.
pub struct HeadlessWindow {
    window: Rc<MinimalSoftwareWindow>,
    width: usize,
    height: usize,
    /// Reused between frames, so a redraw repaints only what changed.
    buffer: Vec<Rgb8Pixel>,
}

impl HeadlessWindow {
    /// The window of the component created last; `None` if none was created since.
    pub fn take(headless: &Headless) -> Option<HeadlessWindow> {
        let window = headless.made.borrow_mut().take()?;
        let size = window.size();
        let (width, height) = (size.width as usize, size.height as usize);
        Some(HeadlessWindow {
            window,
            width,
            height,
            buffer: vec![Rgb8Pixel::default(); width * height],
        })
    }

    /// Runs due timers and change handlers, then draws what changed into the reused buffer.
    /// Returns whether anything was drawn.
    pub fn render(&mut self) -> bool {
        self.draw(RepaintBufferType::ReusedBuffer)
    }

    /// Repaints the whole window, as after a resize or on a display that keeps no buffer.
    pub fn render_full(&mut self) {
        self.window.request_redraw();
        self.draw(RepaintBufferType::NewBuffer);
    }

    fn draw(&mut self, repaint: RepaintBufferType) -> bool {
        slint::platform::update_timers_and_animations();
        let (buffer, width) = (&mut self.buffer, self.width);
        self.window.draw_if_needed(|renderer| {
            renderer.set_repaint_buffer_type(repaint);
            renderer.render(buffer, width);
            renderer.set_repaint_buffer_type(RepaintBufferType::ReusedBuffer);
        })
    }

    /// Writes the last rendered frame as an RGB PNG.
    pub fn save_png(&self, path: &Path) -> std::io::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let mut encoder = png::Encoder::new(file, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        let bytes: Vec<u8> = self.buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        writer
            .write_image_data(&bytes)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    }
}
