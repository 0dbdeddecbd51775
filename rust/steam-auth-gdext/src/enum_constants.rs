//! GodotSteam's enums on `Steam` and `SteamServer` (`Steam.BeginAuthSessionResult`, `Steam.Result`,
//! ...), taken from `steam-auth-core`'s tables.
//!
//! gdext's `#[constant]` registers plain integer constants only, and typed GDScript
//! (`var r: Steam.BeginAuthSessionResult`) needs them registered under an enum name. So the tables are
//! registered here through gdext's constant API, and their descriptions are added to the class docs
//! gdext hands the editor (F1 help), which know nothing of them.

use godot::meta::ClassId;
use godot::obj::GodotClass;
use godot::prelude::*;
use godot_core::registry::constant::{ConstantKind, ExportConstant, IntegerConstant};

use steam_auth_core::{EnumTable, ENUMS, SERVER_ENUMS};

use crate::steam::Steam;
use crate::steam_server::SteamServer;

/// The classes that carry enums, and which.
fn classes() -> [(ClassId, &'static [EnumTable]); 2] {
    [
        (Steam::class_id(), ENUMS),
        (SteamServer::class_id(), SERVER_ENUMS),
    ]
}

/// Registers every enum table on its class (Scene init level, after the classes themselves).
pub fn register() {
    for (class, tables) in classes() {
        register_on(class, tables);
    }
}

fn register_on(class: ClassId, tables: &[EnumTable]) {
    for table in tables {
        let enumerators = table
            .constants
            .iter()
            .map(|(name, value, _)| IntegerConstant::new(name, *value))
            .collect();
        ExportConstant::new(
            class,
            ConstantKind::Enum {
                name: StringName::from(table.name),
                enumerators,
            },
        )
        .register();
    }
}

/// Hands the editor the class docs with the enum constants described (Editor init level, after
/// gdext registered its own version of the same pages).
pub fn register_docs() {
    for xml in godot_core::docs::__gather_xml_docs().filter_map(|xml| with_enum_docs(&xml)) {
        // SAFETY: the binding is initialised (Editor init level, main thread); the buffer is valid
        // UTF-8 of the length given and outlives the call, which copies it.
        unsafe {
            godot::sys::interface_fn!(editor_help_load_xml_from_utf8_chars_and_len)(
                xml.as_ptr() as *const std::ffi::c_char,
                xml.len() as i64,
            );
        }
    }
}

/// gdext's docs page of a class that carries enums, with a `<constant enum=...>` entry for each of
/// their constants; `None` for other classes' pages.
pub fn with_enum_docs(xml: &str) -> Option<String> {
    let (_, tables) = classes()
        .into_iter()
        .find(|(class, _)| xml.contains(&format!("<class name=\"{class}\"")))?;
    Some(with_enum_constants(xml, tables))
}

fn with_enum_constants(xml: &str, tables: &[EnumTable]) -> String {
    let mut entries = String::new();
    for table in tables {
        for (name, value, doc) in table.constants {
            entries.push_str(&format!(
                "<constant name=\"{name}\" value=\"{value}\" enum=\"{}\">{}</constant>",
                table.name,
                escape(doc)
            ));
        }
    }
    if let Some(at) = xml.find("</constants>") {
        format!("{}{entries}{}", &xml[..at], &xml[at..])
    } else if let Some(at) = xml.find("<members>") {
        format!(
            "{}<constants>{entries}</constants>\n{}",
            &xml[..at],
            &xml[at..]
        )
    } else {
        xml.to_owned()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_constants_go_into_the_constants_block_escaped() {
        let page = "<class name=\"Steam\"><methods></methods>\n<members></members>\n</class>";
        let patched = with_enum_constants(page, ENUMS);
        assert!(patched.contains(
            "<constant name=\"BEGIN_AUTH_SESSION_RESULT_OK\" value=\"0\" enum=\"BeginAuthSessionResult\">"
        ));
        assert!(
            patched.contains("<constant name=\"RESULT_IO_FAILURE\" value=\"37\" enum=\"Result\">")
        );
        assert!(patched.find("<constants>").unwrap() < patched.find("<members>").unwrap());
        let existing = with_enum_constants(
            "<constants><constant name=\"X\"/></constants><members/>",
            ENUMS,
        );
        assert_eq!(existing.matches("<constants>").count(), 1);
        assert_eq!(escape("a < b & c"), "a &lt; b &amp; c");
    }
}
