//! The one typst `World` the documents are typeset in: the templates and the fonts shipped in
//! this crate, and the document's data as one JSON file. Nothing else exists in it: no package
//! is fetched, no system font is read, no file outside is opened, and `datetime.today()` fails,
//! so a template cannot make a document depend on the machine or the clock.
//!
//! The templates are `/order.typ`, `/act.typ`, `/invoice.typ`, `/receipt.typ` and the `/common.typ`
//! they import. The data reaches the template as `/data.json`, which the template reads with `json(..)`:
//! values, never markup, so a client named `#{panic()}` is printed as those characters.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::error::DocumentError;

/// The fonts: Liberation Sans (SIL OFL 1.1, `fonts/LICENSE-LiberationSans.txt`), metric-compatible
/// with Arial, which is what Russian forms are usually set in; it has Cyrillic.
const FONTS: [&[u8]; 2] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
];

/// The helpers every template imports as `/common.typ`.
const COMMON: &str = include_str!("../templates/common.typ");

/// What every document shares, built once per process: the standard library and the fonts.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONTS
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// One document's world: a template as the main file and its data.
pub(crate) struct Sheet {
    main: Source,
    common: Source,
    data_id: FileId,
    data: Bytes,
}

impl Sheet {
    /// A world whose main file is `template` (named `name` in diagnostics) reading `data`.
    pub(crate) fn new(name: &str, template: &str, data: Vec<u8>) -> Result<Self, DocumentError> {
        let main = Source::new(file_id(name)?, template.to_owned());
        Ok(Self {
            main,
            common: Source::new(file_id("/common.typ")?, COMMON.to_owned()),
            data_id: file_id("/data.json")?,
            data: Bytes::new(data),
        })
    }
}

fn file_id(path: &str) -> Result<FileId, DocumentError> {
    let vpath = VirtualPath::new(path).map_err(|_| DocumentError::Template {
        reason: format!("bad virtual path {path}"),
    })?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl World for Sheet {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if id == self.common.id() {
            Ok(self.common.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if let Ok(source) = self.source(id) {
            Ok(Bytes::from_string(source.text().to_owned()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// No clock in a document: its dates come from the facts.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}
