//! Hetki, the on-site feedback kiosk: a touch survey that stores every answer durably, offline.

pub mod config;
pub mod flow;
