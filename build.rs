fn main() {
    let config = slint_build::CompilerConfiguration::new()
        // UI chrome strings come translated in the binary: ui/lang/<lang>/LC_MESSAGES/hetki.po.
        .with_bundled_translations("ui/lang")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        // Lets the UI tests (i-slint-backend-testing) find elements by their accessible labels.
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("the UI compiles");
}
