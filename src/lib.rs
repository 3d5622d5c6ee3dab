//! Hetki, the on-site feedback kiosk: a touch survey that stores every answer durably, offline.

pub mod clock;
pub mod config;
pub mod flow;
pub mod kiosk;
pub mod store;
pub mod ui;
pub mod ui_adapter;
pub mod headless;
pub mod screenshot;
pub mod cli;
pub mod export;
pub mod run;
pub mod simulate;
