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
    // start-up memory budget on a Raspberry Pi.
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
