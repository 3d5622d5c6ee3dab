//! Hetki, the on-site feedback kiosk: a touch survey that stores every answer durably, offline.

pub mod background;
pub mod cli;
pub mod clock;
pub mod config;
pub mod export;
pub mod flow;
pub mod headless;
pub mod kept;
pub mod kiosk;
pub mod panel;
pub mod picture;
pub mod pin;
pub mod qr;
pub mod results;
pub mod run;
pub mod screenshot;
pub mod session;
pub mod simulate;
pub mod store;
pub mod sync;
pub mod ui;
pub mod ui_adapter;
pub mod upload;
