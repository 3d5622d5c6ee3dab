//! Rendering without a display: Slint's software renderer into a buffer we own. Used by
//! `hetki screenshot` and the render benchmark.

use std::path::Path;
use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalSize, Rgb8Pixel};

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
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
    /// Makes Slint render into memory for the rest of this process; call before creating
    /// any component. Fails if a platform is already set.
    pub fn install(width: u32, height: u32) -> Result<HeadlessWindow, slint::PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
        window.set_size(PhysicalSize::new(width, height));
        slint::platform::set_platform(Box::new(HeadlessPlatform {
            window: window.clone(),
        }))
        .map_err(|e| slint::PlatformError::Other(e.to_string()))?;
        let (width, height) = (width as usize, height as usize);
        Ok(HeadlessWindow {
            window,
            width,
            height,
            buffer: vec![Rgb8Pixel::default(); width * height],
        })
    }

    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Runs due timers and change handlers, then draws what changed. Returns whether
    /// anything was drawn.
    pub fn render(&mut self) -> bool {
        slint::platform::update_timers_and_animations();
        let (buffer, width) = (&mut self.buffer, self.width);
        self.window.draw_if_needed(|renderer| {
            renderer.render(buffer, width);
        })
    }

    /// Forces the next render to draw the whole frame.
    pub fn invalidate(&self) {
        self.window.request_redraw();
        // A full frame, not the dirty region: resizing to the same size marks everything.
        self.window
            .set_size(PhysicalSize::new(self.width as u32, self.height as u32));
    }

    pub fn window(&self) -> &Rc<MinimalSoftwareWindow> {
        &self.window
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
