//! GDScript arguments of the `Steam` singleton → core types, with messages that say what was
//! expected.

use godot::meta::error::ConvertError;
use godot::meta::shape::GodotShape;
use godot::meta::{FromGodot, GodotConvert, GodotImmutable, ToGodot};
use godot::prelude::*;
use steam_auth_core::Identity;

/// A `#[func]` parameter of any type whose default is `null`: gdext accepts no `Variant` default,
/// but GodotSteam's `getAuthSessionTicket(identity = null)` needs one.
#[derive(Debug, Clone)]
pub struct AnyOrNull(pub Variant);

impl GodotConvert for AnyOrNull {
    type Via = Variant;

    fn godot_shape() -> GodotShape {
        GodotShape::of_builtin::<Variant>()
    }
}

impl ToGodot for AnyOrNull {
    type Pass = godot_core::meta::ByValue;

    fn to_godot(&self) -> Variant {
        self.0.clone()
    }
}

impl FromGodot for AnyOrNull {
    fn try_from_godot(via: Variant) -> Result<Self, ConvertError> {
        Ok(AnyOrNull(via))
    }
}

impl AnyOrNull {
    pub fn null() -> Self {
        AnyOrNull(Variant::nil())
    }
}

// SAFETY: the only default ever built is `null`, which has no interior to mutate.
unsafe impl GodotImmutable for AnyOrNull {}

/// `identity` of `getAuthSessionTicket`: null or 0 (none), a SteamID64 int, or an identity string.
pub fn identity(value: &Variant) -> Result<Identity, String> {
    match value.get_type() {
        VariantType::NIL => Ok(Identity::None),
        VariantType::INT => {
            let id = value.to::<i64>();
            u64::try_from(id)
                .map(Identity::from_steam_id)
                .map_err(|_| format!("identity {id} is not a SteamID64 (it must not be negative)"))
        }
        VariantType::STRING | VariantType::STRING_NAME => value
            .to::<GString>()
            .to_string()
            .parse::<Identity>()
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "identity must be null, an int SteamID64 or an identity string such as \"steamid:7656...\", got {other:?}"
        )),
    }
}

/// A SteamID64 passed as int: GDScript ints are i64 and SteamID64s are below 2^63.
pub fn steam_id(value: i64) -> Option<u64> {
    u64::try_from(value).ok().filter(|id| *id != 0)
}

/// Which GodotSteam form a `steamInit`/`steamInitEx` call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitForm {
    /// GodotSteam 4.14+: `(app_id = 0, embed_callbacks = true)`.
    Current,
    /// GodotSteam 4.13 and older: `(retrieve_stats, app_id = 0, embed_callbacks = true)`.
    Legacy,
}

/// The arguments of `steamInit`/`steamInitEx`, in either GodotSteam form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitArgs {
    pub form: InitForm,
    pub app_id: i64,
    pub embed_callbacks: bool,
}

impl InitArgs {
    /// A bool first argument is the older `retrieve_stats` (ignored: this addon has no stats); the
    /// rest shift by one. `null` stands for an argument left out.
    pub fn parse(first: &Variant, second: &Variant, third: &Variant) -> Result<Self, String> {
        let form = Self::form_of(first);
        let (app_id, embed, extra) = match form {
            InitForm::Legacy => (second, third, &Variant::nil()),
            InitForm::Current => (first, second, third),
        };
        if !extra.is_nil() {
            return Err(format!(
                "a third argument ({}) only exists in the GodotSteam 4.13 form steamInit(retrieve_stats: bool, app_id, embed_callbacks)",
                extra.get_type().godot_type_name()
            ));
        }
        let app_id = match app_id.get_type() {
            VariantType::NIL => 0,
            VariantType::INT => app_id.to::<i64>(),
            other => {
                return Err(format!(
                    "app_id must be an int, got {} (first argument: app_id, or retrieve_stats as a bool in the GodotSteam 4.13 form)",
                    other.godot_type_name()
                ))
            }
        };
        let embed_callbacks = match embed.get_type() {
            VariantType::NIL => true,
            VariantType::BOOL => embed.to::<bool>(),
            other => {
                return Err(format!(
                    "embed_callbacks must be a bool, got {}",
                    other.godot_type_name()
                ))
            }
        };
        Ok(InitArgs {
            form,
            app_id,
            embed_callbacks,
        })
    }

    pub fn form_of(first: &Variant) -> InitForm {
        if first.get_type() == VariantType::BOOL {
            InitForm::Legacy
        } else {
            InitForm::Current
        }
    }
}

/// `beginAuthSession`'s arguments (on `Steam` and `SteamServer`): the first `ticket_size` bytes of
/// the buffer and the SteamID64, or what is wrong with them.
pub fn begin_auth_args(
    ticket: &PackedByteArray,
    ticket_size: i64,
    steam_id: i64,
) -> Result<(&[u8], u64), String> {
    let size = usize::try_from(ticket_size)
        .ok()
        .filter(|s| *s > 0 && *s <= ticket.len())
        .ok_or_else(|| {
            format!(
                "ticket_size {ticket_size} must be between 1 and the buffer's {} bytes",
                ticket.len()
            )
        })?;
    let id = self::steam_id(steam_id).ok_or_else(|| format!("{steam_id} is not a SteamID64"))?;
    Ok((&ticket.as_slice()[..size], id))
}
