//! `herdlab-gui`: the herdlab desktop app. Everything is in the library ([`herdlab_gui::App`]).

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("herdlab")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "herdlab",
        options,
        Box::new(|cc| Ok(Box::new(herdlab_gui::App::new(cc)))),
    )
}
