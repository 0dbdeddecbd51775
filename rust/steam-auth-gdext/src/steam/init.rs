//! Start-up and shutdown: `steamInit`/`steamInitEx` in GodotSteam's current and older forms, the
//! backend and app id it starts with, and the per-frame callback pump.

use std::path::PathBuf;

use godot::prelude::*;

use steam_auth_core::{
    eresult, resolve_app_id, steamworks_status, AppIdSource, BackendKind, InitResult, InitStatus,
    SimulatedConfig, SimulatedSteam, SteamBackend, SteamworksBackend, MISSING_APP_ID,
};

use super::{emit, Steam};
use crate::steam_args::{AnyOrNull, InitArgs, InitForm};
use crate::steam_settings::{self, app_id_dirs, backend_kind};
use crate::{frame_pump, settings};

/// The GodotSteam API level this singleton follows, reported by `get_godotsteam_version`.
const GODOTSTEAM_API: &str = "4.14";

#[godot_api(secondary)]
impl Steam {
    /// Initialises Steam. GodotSteam 4.14+ form: [code]steamInit(app_id = 0, embed_callbacks = true)[/code]
    /// returns [code]true[/code] on success (see [method steamInitEx] for why it failed). The older
    /// form, first argument a bool ([code]retrieve_stats[/code], ignored):
    /// [code]steamInit(retrieve_stats, app_id = 0, embed_callbacks = true)[/code] returns
    /// GodotSteam 4.13's [code]{status, verbal}[/code] with status 1 ([constant RESULT_OK]) on success,
    /// 20 ([constant RESULT_SERVICE_UNAVAILABLE]) without a Steam client, 2 otherwise.
    /// [param app_id] 0 means: [code]SteamAppId[/code], then [code]SteamGameId[/code] (set by Steam when it
    /// launches the game), then [code]steam_appid.txt[/code], then the Project Setting
    /// [code]steam/auth/app_id[/code]; with none of them the Steam client decides.
    #[func(rename = steamInit)]
    fn steam_init(
        &mut self,
        #[opt(default = AnyOrNull::null())] first: AnyOrNull,
        #[opt(default = AnyOrNull::null())] second: AnyOrNull,
        #[opt(default = AnyOrNull::null())] third: AnyOrNull,
    ) -> Variant {
        let (form, status) = self.init_from_args("steamInit", &first, &second, &third);
        match form {
            InitForm::Current => status.is_ok().to_variant(),
            InitForm::Legacy => {
                let code = match status.status {
                    InitResult::Ok => eresult::OK,
                    InitResult::NoSteamClient => RESULT_SERVICE_UNAVAILABLE,
                    _ => eresult::FAIL,
                };
                status_dictionary(i64::from(code), &status.verbal).to_variant()
            }
        }
    }

    /// Initialises Steam and returns [code]{status: int, verbal: String}[/code]: status is a
    /// [enum SteamAPIInitResult] value and verbal says what happened (which backend, which app id and
    /// where it came from) or what to do. Takes the same two forms as [method steamInit]:
    /// [code]steamInitEx(app_id = 0, embed_callbacks = true)[/code] and GodotSteam 4.13's
    /// [code]steamInitEx(retrieve_stats, app_id = 0, embed_callbacks = true)[/code]. With
    /// [param embed_callbacks] callbacks are dispatched every frame, unless the Project Setting
    /// [code]steam/auth/embed_callbacks[/code] is off; otherwise call [method run_callbacks] yourself.
    #[func(rename = steamInitEx)]
    fn steam_init_ex(
        &mut self,
        #[opt(default = AnyOrNull::null())] first: AnyOrNull,
        #[opt(default = AnyOrNull::null())] second: AnyOrNull,
        #[opt(default = AnyOrNull::null())] third: AnyOrNull,
    ) -> VarDictionary {
        let (_, status) = self.init_from_args("steamInitEx", &first, &second, &third);
        status_dictionary(i64::from(status.status.code()), &status.verbal)
    }

    /// [code]true[/code] once [method steamInit] succeeded and until [method steamShutdown].
    #[func(rename = isSteamInitialized)]
    fn is_steam_initialized(&self) -> bool {
        self.backend.is_initialised()
    }

    /// Whether a Steam client is running for this user; works before init. Always [code]true[/code]
    /// with the simulated backend.
    #[func(rename = isSteamRunning)]
    fn is_steam_running(&self) -> bool {
        let kind = match self.backend.get() {
            Some(backend) => Ok(backend.kind()),
            None => backend_kind(),
        };
        match kind {
            Ok(BackendKind::Simulated) => true,
            Ok(BackendKind::Steam) => steamworks_status::steam_running(),
            Err(_) => false,
        }
    }

    /// Steam's [code]SteamAPI_RestartAppIfNecessary[/code]: [code]true[/code] when the game was not
    /// launched by Steam and Steam now relaunches it, so the game should quit at once. Call it before
    /// init. Always [code]false[/code] with the simulated backend.
    #[func(rename = restartAppIfNecessary)]
    fn restart_app_if_necessary(&self, app_id: i64) -> bool {
        let Ok(app_id) = u32::try_from(app_id) else {
            godot_error!("Steam.restartAppIfNecessary: {app_id} is not an app id");
            return false;
        };
        match backend_kind() {
            Ok(BackendKind::Steam) => steamworks_status::restart_app_if_necessary(app_id),
            _ => false,
        }
    }

    /// The GodotSteam API level this singleton follows and this addon's version, e.g.
    /// [code]"4.14 (steam-auth 0.1.0)"[/code].
    #[func]
    fn get_godotsteam_version(&self) -> GString {
        GString::from(
            format!(
                "{GODOTSTEAM_API} (steam-auth {})",
                env!("CARGO_PKG_VERSION")
            )
            .as_str(),
        )
    }

    /// Which backend is active: [code]"steam"[/code], [code]"simulated"[/code], or [code]""[/code]
    /// before init.
    #[func(rename = getSteamBackend)]
    fn get_steam_backend(&self) -> GString {
        self.backend
            .get()
            .map(|b| b.kind().name())
            .unwrap_or("")
            .into()
    }

    /// Shuts Steam down; tickets and sessions are forgotten. Harmless when not initialised.
    #[func(rename = steamShutdown)]
    fn steam_shutdown(&mut self) {
        self.shutdown();
    }

    /// Dispatches pending Steam callbacks as signals. Called every frame when callbacks are embedded.
    #[func(gd_self)]
    fn run_callbacks(mut this: Gd<Self>) {
        crate::backend_slot::dispatch(&mut this, |steam| &mut steam.backend, emit);
    }
}

/// GodotSteam 4.13's `steamInit` status when no Steam client runs (`RESULT_SERVICE_UNAVAILABLE`).
const RESULT_SERVICE_UNAVAILABLE: i32 = 20;

fn status_dictionary(status: i64, verbal: &str) -> VarDictionary {
    vdict! { "status" => status, "verbal" => verbal }
}

impl Steam {
    pub(super) fn shutdown(&mut self) {
        self.stop_pumping();
        self.backend.clear();
        self.current_app_id = 0;
        self.current_steam_id = 0;
    }

    fn init_from_args(
        &mut self,
        method: &str,
        first: &AnyOrNull,
        second: &AnyOrNull,
        third: &AnyOrNull,
    ) -> (InitForm, InitStatus) {
        match InitArgs::parse(&first.0, &second.0, &third.0) {
            Ok(args) => (args.form, self.init(args.app_id, args.embed_callbacks)),
            Err(message) => {
                godot_error!("Steam.{method}: {message}");
                let form = InitArgs::form_of(&first.0);
                (form, InitStatus::failed(InitResult::FailedGeneric, message))
            }
        }
    }

    fn init(&mut self, app_id: i64, embed_callbacks: bool) -> InitStatus {
        if let Some(api) = self.backend.get() {
            return InitStatus::ok(format!(
                "Steam is already initialised ({} backend, app {})",
                api.kind().name(),
                api.app_id()
            ));
        }
        match start_backend(app_id) {
            Ok((backend, source)) => {
                let api = backend.as_ref();
                let source = source
                    .map(|s| format!("from {s}"))
                    .unwrap_or_else(|| "chosen by the Steam client".to_owned());
                let status = InitStatus::ok(format!(
                    "Steam initialised: {} backend, app {} ({source}), user {}",
                    api.kind().name(),
                    api.app_id(),
                    api.steam_id()
                ));
                self.current_app_id = i64::from(api.app_id());
                self.current_steam_id = api.steam_id() as i64;
                self.backend.set(backend);
                if embed_callbacks && steam_settings::embed_callbacks() {
                    self.start_pumping();
                }
                status
            }
            Err(status) => {
                godot_warn!("Steam.steamInit: {}", status.verbal);
                status
            }
        }
    }

    fn start_pumping(&mut self) {
        if !frame_pump::start(&self.to_gd()) {
            godot_warn!("Steam.steamInit: no SceneTree is running, so callbacks are not embedded; call Steam.run_callbacks() every frame");
            return;
        }
        self.pumping_on_process_frame = true;
    }

    fn stop_pumping(&mut self) {
        if std::mem::take(&mut self.pumping_on_process_frame) {
            frame_pump::stop(&self.to_gd());
        }
    }
}

/// Starts the configured backend; also says where the app id came from (`None`: Steam chose it).
fn start_backend(app_id: i64) -> Result<(Box<dyn SteamBackend>, Option<AppIdSource>), InitStatus> {
    let generic = |message: String| InitStatus::failed(InitResult::FailedGeneric, message);
    let kind = backend_kind().map_err(generic)?;
    let dirs = app_id_dirs();
    let dir_refs: Vec<&std::path::Path> = dirs.iter().map(PathBuf::as_path).collect();
    let setting = settings::get(steam_settings::APP_ID)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(0);
    let resolved = resolve_app_id(app_id, settings::env, &dir_refs, setting)
        .map_err(|e| generic(e.to_string()))?;
    match kind {
        BackendKind::Simulated => {
            let (app_id, source) = resolved.ok_or_else(|| generic(MISSING_APP_ID.to_owned()))?;
            let config = SimulatedConfig {
                app_id,
                ..steam_settings::simulated_user().map_err(generic)?
            };
            Ok((Box::new(SimulatedSteam::new(config)), Some(source)))
        }
        BackendKind::Steam => {
            // Steam reads SteamAppId itself; every other source is handed to it explicitly.
            let explicit = match &resolved {
                Some((_, AppIdSource::Environment("SteamAppId"))) | None => None,
                Some((id, _)) => Some(*id),
            };
            let backend = SteamworksBackend::init(explicit)?;
            Ok((Box::new(backend), resolved.map(|(_, source)| source)))
        }
    }
}
