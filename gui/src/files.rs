//! Files like a desktop app: a small open/save dialog drawn with egui (no system dialog, so it
//! works the same under Xvfb and on every platform; `egui-file-dialog` has no release for egui
//! 0.37), and what a file or folder dropped on the window opens.
//!
//! Folders are listed on a thread of their own, never in the frame: the dialog shows "reading…"
//! until the listing arrives.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use egui::RichText;

/// What the dialog is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Open a scenario file (`.toml`).
    OpenScenario,
    /// Save the scenario as a `.toml` file.
    SaveScenario,
    /// Open a result folder (run, comparison or sweep).
    OpenResult,
    /// Choose the folder exports are written under.
    ExportUnder,
    /// Choose a decision log (CSV or Parquet) for the monitor.
    DecisionLog,
}

impl Purpose {
    /// The dialog's title.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::OpenScenario => "Open a scenario file",
            Purpose::SaveScenario => "Save the scenario as",
            Purpose::OpenResult => "Open a result folder",
            Purpose::ExportUnder => "Choose the folder to export under",
            Purpose::DecisionLog => "Open a decision log",
        }
    }

    /// Whether it chooses a folder (not a file).
    pub fn folder(self) -> bool {
        matches!(self, Purpose::OpenResult | Purpose::ExportUnder)
    }

    /// Whether a file of this name is offered.
    fn shows(self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        match self {
            Purpose::OpenScenario | Purpose::SaveScenario => lower.ends_with(".toml"),
            Purpose::DecisionLog => lower.ends_with(".csv") || lower.ends_with(".parquet"),
            Purpose::OpenResult | Purpose::ExportUnder => false,
        }
    }
}

/// One entry of a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// A folder (listed first).
    pub folder: bool,
    /// Its name.
    pub name: String,
}

/// The entries of `dir`: folders, then files, each sorted by name; hidden ones left out.
pub fn list(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let folder = e.file_type().map(|t| t.is_dir()).unwrap_or(false) || e.path().is_dir();
        out.push(Entry { folder, name });
    }
    out.sort_by(|a, b| (!a.folder, &a.name).cmp(&(!b.folder, &b.name)));
    Ok(out)
}

/// What the user did with the dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A file or folder was chosen.
    Chosen(PathBuf),
    /// The dialog was closed without a choice.
    Cancelled,
}

/// An open file dialog.
#[derive(Debug)]
pub struct FileDialog {
    /// What it is for.
    pub purpose: Purpose,
    /// The folder shown.
    pub dir: PathBuf,
    /// The folder as typed in its field.
    pub dir_text: String,
    /// The file name typed or clicked (files), or the sub-folder clicked (folders).
    pub name: String,
    entries: Option<Result<Vec<Entry>, String>>,
    listing: Option<Receiver<Result<Vec<Entry>, String>>>,
}

impl FileDialog {
    /// A dialog for `purpose` showing `start` (a folder, or a file whose folder is shown and whose
    /// name is filled in).
    pub fn new(purpose: Purpose, start: &Path) -> FileDialog {
        let (dir, name) = if start.extension().is_some() {
            (
                start.parent().map(Path::to_path_buf).unwrap_or_default(),
                start
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )
        } else {
            (start.to_path_buf(), String::new())
        };
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        let mut d = FileDialog {
            purpose,
            dir_text: dir.display().to_string(),
            dir,
            name,
            entries: None,
            listing: None,
        };
        d.read();
        d
    }

    /// Lists the folder shown, on a thread of its own.
    fn read(&mut self) {
        let (tx, rx) = channel();
        let dir = self.dir.clone();
        self.entries = None;
        self.listing = Some(rx);
        let spawned = std::thread::Builder::new()
            .name("herdlab-list".into())
            .spawn(move || {
                let _ =
                    tx.send(list(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display())));
            });
        if let Err(e) = spawned {
            self.entries = Some(Err(e.to_string()));
            self.listing = None;
        }
    }

    /// Shows another folder.
    pub fn go(&mut self, dir: PathBuf) {
        self.dir_text = dir.display().to_string();
        self.dir = dir;
        if self.purpose.folder() {
            self.name.clear();
        }
        self.read();
    }

    /// The entries of the folder shown, once read (`None` while reading).
    pub fn entries(&mut self) -> Option<&Result<Vec<Entry>, String>> {
        if let Some(rx) = &self.listing
            && let Ok(e) = rx.try_recv()
        {
            self.entries = Some(e);
            self.listing = None;
        }
        self.entries.as_ref()
    }

    /// What the dialog would choose now: the file named, or the folder shown (or the sub-folder
    /// clicked).
    pub fn choice(&self) -> Option<PathBuf> {
        let name = self.name.trim();
        if self.purpose.folder() {
            return Some(if name.is_empty() {
                self.dir.clone()
            } else {
                self.dir.join(name)
            });
        }
        if name.is_empty() {
            return None;
        }
        let mut p = self.dir.join(name);
        if self.purpose == Purpose::SaveScenario && p.extension().is_none() {
            p.set_extension("toml");
        }
        Some(p)
    }

    /// Draws the dialog as a modal window; returns what the user did, if anything.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Outcome> {
        let mut outcome = None;
        let mut go = None;
        if self.listing.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        let modal = egui::Modal::new(egui::Id::unique("file-dialog")).show(ctx, |ui| {
            ui.set_width(620.0);
            ui.heading(self.purpose.title());
            ui.horizontal(|ui| {
                if ui.button("Up").on_hover_text("The parent folder").clicked()
                    && let Some(p) = self.dir.parent()
                {
                    go = Some(p.to_path_buf());
                }
                let l = ui.label("Folder");
                let r = ui
                    .add(egui::TextEdit::singleline(&mut self.dir_text).desired_width(460.0))
                    .labelled_by(l.id);
                if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    go = Some(PathBuf::from(self.dir_text.trim()));
                }
            });
            ui.separator();
            let purpose = self.purpose;
            let mut clicked: Option<(Entry, bool)> = None;
            egui::ScrollArea::vertical()
                .id_salt("file-dialog-list")
                .max_height(360.0)
                .show(ui, |ui| match self.entries() {
                    None => {
                        ui.weak("reading...");
                    }
                    Some(Err(e)) => {
                        ui.colored_label(egui::Color32::from_rgb(230, 80, 70), e.as_str());
                    }
                    Some(Ok(entries)) => {
                        let shown: Vec<Entry> = entries
                            .iter()
                            .filter(|e| e.folder || purpose.shows(&e.name))
                            .cloned()
                            .collect();
                        if shown.is_empty() {
                            ui.weak("Nothing to choose here.");
                        }
                        for e in shown {
                            let text = if e.folder {
                                RichText::new(format!("{}/", e.name)).strong()
                            } else {
                                RichText::new(&e.name)
                            };
                            let r = ui.selectable_label(false, text).on_hover_text(if e.folder {
                                "Double-click to open this folder"
                            } else {
                                "Double-click to choose this file"
                            });
                            if r.double_clicked() {
                                clicked = Some((e, true));
                            } else if r.clicked() {
                                clicked = Some((e, false));
                            }
                        }
                    }
                });
            if let Some((e, double)) = clicked {
                match (e.folder, double, purpose.folder()) {
                    (true, true, _) | (true, false, false) => go = Some(self.dir.join(&e.name)),
                    (true, false, true) => self.name = e.name,
                    (false, _, _) => {
                        self.name = e.name;
                        if double && let Some(p) = self.choice() {
                            outcome = Some(Outcome::Chosen(p));
                        }
                    }
                }
            }
            ui.separator();
            if !purpose.folder() {
                ui.horizontal(|ui| {
                    let l = ui.label("File name");
                    ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(420.0))
                        .labelled_by(l.id);
                });
            }
            let choice = self.choice();
            ui.horizontal(|ui| {
                let verb = match purpose {
                    Purpose::SaveScenario => "Save here",
                    Purpose::ExportUnder => "Choose this folder",
                    Purpose::OpenResult => "Open this folder",
                    _ => "Open this file",
                };
                if ui
                    .add_enabled(
                        choice.is_some(),
                        egui::Button::new(RichText::new(verb).strong()),
                    )
                    .on_hover_text(
                        choice
                            .as_ref()
                            .map(|c| c.display().to_string())
                            .unwrap_or_else(|| "type or click a file name".into()),
                    )
                    .clicked()
                    && let Some(c) = choice.clone()
                {
                    outcome = Some(Outcome::Chosen(c));
                }
                if ui.button("Cancel").clicked() {
                    outcome = Some(Outcome::Cancelled);
                }
            });
        });
        // Escape or a click beside the dialog closes it.
        if outcome.is_none() && modal.should_close() {
            outcome = Some(Outcome::Cancelled);
        }
        if let Some(dir) = go {
            self.go(dir);
        }
        outcome
    }
}

/// What a path dropped on the window opens: a scenario file or a result folder (a folder, or a
/// result's `manifest.json`, `comparison.json` or `sweep.json`). `None`: neither.
pub fn dropped(path: &Path) -> Option<Dropped> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if path.is_dir() {
        return Some(Dropped::ResultFolder(path.to_path_buf()));
    }
    if name.ends_with(".toml") {
        return Some(Dropped::Scenario(path.to_path_buf()));
    }
    if ["manifest.json", "comparison.json", "sweep.json"].contains(&name.as_str()) {
        return path
            .parent()
            .map(|p| Dropped::ResultFolder(p.to_path_buf()));
    }
    None
}

/// A path dropped on the window, sorted by what it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dropped {
    /// A scenario file.
    Scenario(PathBuf),
    /// A result folder.
    ResultFolder(PathBuf),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_come_first_and_hidden_entries_are_left_out() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(tmp.path().join("zeta")).expect("dir");
        std::fs::create_dir(tmp.path().join(".hidden")).expect("dir");
        std::fs::write(tmp.path().join("a.toml"), "").expect("file");
        let e = list(tmp.path()).expect("list");
        let names: Vec<(&str, bool)> = e.iter().map(|e| (e.name.as_str(), e.folder)).collect();
        assert_eq!(names, [("zeta", true), ("a.toml", false)]);
    }

    #[test]
    fn a_dropped_file_opens_a_scenario_and_a_folder_a_result() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let toml = tmp.path().join("s.toml");
        std::fs::write(&toml, "").expect("file");
        assert_eq!(dropped(&toml), Some(Dropped::Scenario(toml.clone())));
        assert_eq!(
            dropped(tmp.path()),
            Some(Dropped::ResultFolder(tmp.path().to_path_buf()))
        );
        let manifest = tmp.path().join("manifest.json");
        std::fs::write(&manifest, "{}").expect("file");
        assert_eq!(
            dropped(&manifest),
            Some(Dropped::ResultFolder(tmp.path().to_path_buf()))
        );
        assert_eq!(dropped(&tmp.path().join("x.png")), None);
    }
}
