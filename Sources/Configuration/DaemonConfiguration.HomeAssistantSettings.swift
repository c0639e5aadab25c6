extension DaemonConfiguration {
    /// Home Assistant MQTT discovery (`[homeassistant]`): one `sensor` entity per forecast stream.
    public struct HomeAssistantSettings: Sendable, Equatable {
        /// Whether barnnd announces its streams to Home Assistant. The default is `false`.
        public var enabled = false
        /// Home Assistant's discovery prefix; configs go to `<prefix>/sensor/<unique_id>/config` and its birth
        /// message is read on `<prefix>/status`. The default is `homeassistant`.
        public var discoveryPrefix = "homeassistant"
        /// Topic of the retained attribute payload (next-step median, 80 % and 90 % bounds, model, coverage);
        /// `{stream}` is the stream id. The default is `forecast/{stream}/attributes`.
        public var attributesTopic = "forecast/{stream}/attributes"
        /// How long a stream may go without a forecast before its entity is removed (an empty retained config);
        /// zero never removes. The default is 30 days.
        public var removeAfter: Duration = .seconds(30 * 86400)
        /// The `origin.support_url` of every config; empty leaves it out. The default is empty.
        public var supportURL = ""

        /// Creates the defaults.
        public init() {}
    }

    /// Home Assistant's sensor device classes (`device_class` of a rule), so a typo is a configuration error
    /// instead of an entity Home Assistant refuses.
    public static let homeAssistantDeviceClasses: Set<String> = [
        "apparent_power", "aqi", "area", "atmospheric_pressure", "battery", "blood_glucose_concentration",
        "carbon_dioxide", "carbon_monoxide", "conductivity", "current", "data_rate", "data_size", "distance",
        "duration", "energy", "energy_distance", "energy_storage", "frequency", "gas", "humidity", "illuminance",
        "irradiance", "moisture", "monetary", "nitrogen_dioxide", "nitrogen_monoxide", "nitrous_oxide", "ozone", "ph",
        "pm1", "pm10", "pm25", "power", "power_factor", "precipitation", "precipitation_intensity", "pressure",
        "reactive_energy", "reactive_power", "signal_strength", "sound_pressure", "speed", "sulphur_dioxide",
        "temperature", "volatile_organic_compounds", "volatile_organic_compounds_parts", "voltage", "volume",
        "volume_flow_rate", "volume_storage", "water", "weight", "wind_direction", "wind_speed",
    ]
}
