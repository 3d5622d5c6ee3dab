fn main() {
    let config = slint_build::CompilerConfiguration::new()
        // UI chrome strings come translated in the binary: ui/lang/<lang>/LC_MESSAGES/hetki.po.
        .with_bundled_translations("ui/lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        // Lets the UI tests (i-slint-backend-testing) find elements by their accessible labels.
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("the UI compiles");

    // Packed relative relocations (DT_RELR, glibc 2.36+): the dynamic loader reads a few KiB
    // instead of 1.6 MB of relocation records at every start, a tenth of the kiosk's
    // start-up memory budget on a Raspberry Pi. A binary with them does not start on an
    // older glibc, so a build for this machine uses them only if its glibc has them; a
    // cross-build is for Raspberry Pi OS bookworm (glibc 2.36) or newer.
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let native = std::env::var("HOST").ok() == std::env::var("TARGET").ok();
    if target_os == "linux" && target_env == "gnu" && (!native || host_glibc_has_relr()) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }

    // .cargo/config.toml has the bundled SQLite sync with fdatasync(); flags of one's own
    // replace that, and every answer's commit would cost a journal commit more.
    println!("cargo:rerun-if-env-changed=LIBSQLITE3_FLAGS");
    let sqlite_flags = std::env::var("LIBSQLITE3_FLAGS").unwrap_or_default();
    if !sqlite_flags.contains("-DHAVE_FDATASYNC=1") {
        println!(
            "cargo:warning=LIBSQLITE3_FLAGS lacks -DHAVE_FDATASYNC=1 (see .cargo/config.toml): \
             the response buffer will sync with fsync(), slower on a journalled file system"
        );
    }
}

/// Whether this machine's glibc is 2.36 or newer (`getconf GNU_LIBC_VERSION`: "glibc 2.36").
fn host_glibc_has_relr() -> bool {
    let Ok(output) = std::process::Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
    else {
        return false;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let mut version = text
        .trim()
        .trim_start_matches("glibc ")
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let (major, minor) = (version.next().unwrap_or(0), version.next().unwrap_or(0));
    (major, minor) >= (2, 36)
}
