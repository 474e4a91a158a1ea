//! Writes the demo visit's four documents as PDF into the folder given (default `target/documents`):
//! the README's pictures are made from them (`pdftoppm -png -r 60 -singlefile`).

use documents::{render, sample};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let folder = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/documents".to_owned());
    std::fs::create_dir_all(&folder)?;
    for (name, document) in [
        ("order", sample::work_order()),
        ("act", sample::act()),
        ("invoice", sample::invoice()),
        ("receipt", sample::receipt()),
    ] {
        let pdf = render(&document, sample::DATED)?;
        std::fs::write(format!("{folder}/{name}.pdf"), pdf)?;
    }
    Ok(())
}
