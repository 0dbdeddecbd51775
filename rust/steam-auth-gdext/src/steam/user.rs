//! Who is playing and what they own: the `ISteamUser`/`ISteamFriends`/`ISteamApps`/`ISteamUtils`
//! queries auth scripts make at start-up.

use godot::prelude::*;

use super::Steam;

#[godot_api(secondary)]
impl Steam {
    /// Whether the user is connected to Steam's servers. [code]false[/code] (with an error) before init.
    #[func(rename = loggedOn)]
    fn logged_on(&self) -> bool {
        self.backend.logged_on()
    }

    /// The local user's SteamID64. 0 (with an error) before init.
    #[func(rename = getSteamID)]
    fn get_steam_id(&self) -> i64 {
        self.backend.steam_id()
    }

    /// The app id Steam was initialised with. 0 (with an error) before init.
    #[func(rename = getAppID)]
    fn get_app_id(&self) -> i64 {
        self.backend.with("getAppID", 0, |b| i64::from(b.app_id()))
    }

    /// The user's display name. Simulated backend: the Project Setting
    /// [code]steam/auth/simulated_persona_name[/code]. [code]""[/code] (with an error) before init.
    #[func(rename = getPersonaName)]
    fn get_persona_name(&self) -> GString {
        GString::from(
            self.backend
                .with("getPersonaName", String::new(), |b| b.persona_name())
                .as_str(),
        )
    }

    /// Whether the user owns (or borrows through Family Sharing) this app. Simulated backend: the
    /// Project Setting [code]steam/auth/simulated_owns_app[/code]. [code]false[/code] (with an error)
    /// before init.
    #[func(rename = isSubscribed)]
    fn is_subscribed(&self) -> bool {
        self.backend
            .with("isSubscribed", false, |b| b.is_subscribed())
    }

    /// Whether the user plays on a license borrowed through Family Sharing; [method getAppOwner] tells
    /// whose. Simulated backend: true when [code]steam/auth/simulated_owner_steam_id[/code] names
    /// another SteamID. [code]false[/code] (with an error) before init.
    #[func(rename = isSubscribedFromFamilySharing)]
    fn is_subscribed_from_family_sharing(&self) -> bool {
        self.backend
            .with("isSubscribedFromFamilySharing", false, |b| {
                b.is_subscribed_from_family_sharing()
            })
    }

    /// The SteamID64 that owns the license the user plays on (another user's under Family Sharing).
    /// 0 (with an error) before init.
    #[func(rename = getAppOwner)]
    fn get_app_owner(&self) -> i64 {
        self.backend
            .with("getAppOwner", 0, |b| b.app_owner() as i64)
    }

    /// Whether the user owns DLC [param dlc_id] and has it installed. Simulated backend: the DLC
    /// listed in the Project Setting [code]steam/auth/simulated_dlc[/code]. [code]false[/code] (with an
    /// error) before init.
    #[func(rename = isDLCInstalled)]
    fn is_dlc_installed(&self, dlc_id: i64) -> bool {
        let Ok(dlc_id) = u32::try_from(dlc_id) else {
            godot_error!("Steam.isDLCInstalled: {dlc_id} is not an app id");
            return false;
        };
        self.backend
            .with("isDLCInstalled", false, |b| b.is_dlc_installed(dlc_id))
    }

    /// Whether the game runs on a Steam Deck. Simulated backend: the Project Setting
    /// [code]steam/auth/simulated_steam_deck[/code]. [code]false[/code] (with an error) before init.
    #[func(rename = isSteamRunningOnSteamDeck)]
    fn is_steam_running_on_steam_deck(&self) -> bool {
        self.backend.with("isSteamRunningOnSteamDeck", false, |b| {
            b.is_steam_running_on_steam_deck()
        })
    }

    /// Whether the game runs in VR mode of the Steam client. Simulated backend: the Project Setting
    /// [code]steam/auth/simulated_vr[/code]. [code]false[/code] (with an error) before init.
    #[func(rename = isSteamRunningInVR)]
    fn is_steam_running_in_vr(&self) -> bool {
        self.backend
            .with("isSteamRunningInVR", false, |b| b.is_steam_running_in_vr())
    }

    /// Whether the user has a VAC ban on this game. Simulated backend: the Project Setting
    /// [code]steam/auth/simulated_vac_banned[/code]. [code]false[/code] (with an error) before init.
    #[func(rename = isVACBanned)]
    fn is_vac_banned(&self) -> bool {
        self.backend
            .with("isVACBanned", false, |b| b.is_vac_banned())
    }

    /// The language the user plays this game in, in Steam's names ([code]"english"[/code],
    /// [code]"german"[/code], ...). Simulated backend: the Project Setting
    /// [code]steam/auth/simulated_language[/code]. [code]""[/code] (with an error) before init.
    #[func(rename = getCurrentGameLanguage)]
    fn get_current_game_language(&self) -> GString {
        GString::from(
            self.backend
                .with("getCurrentGameLanguage", String::new(), |b| {
                    b.current_game_language()
                })
                .as_str(),
        )
    }

    /// The Steam client's language. Simulated backend: [code]steam/auth/simulated_language[/code].
    /// [code]""[/code] (with an error) before init.
    #[func(rename = getSteamUILanguage)]
    fn get_steam_ui_language(&self) -> GString {
        GString::from(
            self.backend
                .with("getSteamUILanguage", String::new(), |b| b.ui_language())
                .as_str(),
        )
    }

    /// The command line of a [code]steam://run/<app>//<args>[/code] launch, or [code]""[/code].
    /// Simulated backend: always [code]""[/code]. [code]""[/code] (with an error) before init.
    #[func(rename = getLaunchCommandLine)]
    fn get_launch_command_line(&self) -> GString {
        GString::from(
            self.backend
                .with("getLaunchCommandLine", String::new(), |b| {
                    b.launch_command_line()
                })
                .as_str(),
        )
    }
}
