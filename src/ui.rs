//! The compiled Slint UI (`ui/app.slint`): `AppWindow` and its globals.
#![allow(clippy::all)]
slint::include_modules!();
