/// The unit and device class Home Assistant shows for a stream.
public struct HomeAssistantUnit: Sendable, Equatable {
    /// `unit_of_measurement`, e.g. `°C`; `nil` leaves it out.
    public var unit: String?
    /// The sensor `device_class`, e.g. `temperature`; `nil` leaves it out.
    public var deviceClass: String?

    /// Creates a unit description.
    public init(unit: String?, deviceClass: String?) {
        self.unit = unit
        self.deviceClass = deviceClass
    }

    /// The rule's `unit` and `device_class` where it sets them, else what the SenML unit maps to. A rule that
    /// sets its own unit gets no device class from SenML, which would describe another unit.
    public init(ruleUnit: String?, ruleDeviceClass: String?, senmlUnit: String?) {
        let mapped = senmlUnit.map(Self.init(senml:))
        unit = ruleUnit ?? mapped?.unit
        deviceClass = ruleDeviceClass ?? (ruleUnit == nil ? mapped?.deviceClass : nil)
    }

    /// Home Assistant's spelling of a SenML unit (RFC 8428 §12.1 and RFC 8798) and the device class it implies;
    /// a unit barnnd does not know is shown as given, without a device class.
    public init(senml: String) {
        if let known = Self.senmlUnits[senml] {
            self = known
        } else {
            self.init(unit: senml, deviceClass: nil)
        }
    }

    /// The SenML units with a Home Assistant equivalent.
    static let senmlUnits: [String: HomeAssistantUnit] = [
        "Cel": .init(unit: "°C", deviceClass: "temperature"),
        "K": .init(unit: "K", deviceClass: "temperature"),
        "%RH": .init(unit: "%", deviceClass: "humidity"),
        "%EL": .init(unit: "%", deviceClass: "battery"),
        "%": .init(unit: "%", deviceClass: nil),
        "Pa": .init(unit: "Pa", deviceClass: "pressure"),
        "hPa": .init(unit: "hPa", deviceClass: "pressure"),
        "kPa": .init(unit: "kPa", deviceClass: "pressure"),
        "bar": .init(unit: "bar", deviceClass: "pressure"),
        "W": .init(unit: "W", deviceClass: "power"),
        "kW": .init(unit: "kW", deviceClass: "power"),
        "VA": .init(unit: "VA", deviceClass: "apparent_power"),
        "var": .init(unit: "var", deviceClass: "reactive_power"),
        "Wh": .init(unit: "Wh", deviceClass: "energy"),
        "kWh": .init(unit: "kWh", deviceClass: "energy"),
        "J": .init(unit: "J", deviceClass: "energy"),
        "V": .init(unit: "V", deviceClass: "voltage"),
        "mV": .init(unit: "mV", deviceClass: "voltage"),
        "A": .init(unit: "A", deviceClass: "current"),
        "mA": .init(unit: "mA", deviceClass: "current"),
        "Hz": .init(unit: "Hz", deviceClass: "frequency"),
        "lx": .init(unit: "lx", deviceClass: "illuminance"),
        "W/m2": .init(unit: "W/m²", deviceClass: "irradiance"),
        "m": .init(unit: "m", deviceClass: "distance"),
        "km": .init(unit: "km", deviceClass: "distance"),
        "m/s": .init(unit: "m/s", deviceClass: "speed"),
        "km/h": .init(unit: "km/h", deviceClass: "speed"),
        "kg": .init(unit: "kg", deviceClass: "weight"),
        "g": .init(unit: "g", deviceClass: "weight"),
        "s": .init(unit: "s", deviceClass: "duration"),
        "min": .init(unit: "min", deviceClass: "duration"),
        "h": .init(unit: "h", deviceClass: "duration"),
        "l": .init(unit: "L", deviceClass: "volume"),
        "m3": .init(unit: "m³", deviceClass: "volume"),
        "m3/s": .init(unit: "m³/s", deviceClass: "volume_flow_rate"),
        "l/s": .init(unit: "L/s", deviceClass: "volume_flow_rate"),
        "mm/h": .init(unit: "mm/h", deviceClass: "precipitation_intensity"),
        "dBm": .init(unit: "dBm", deviceClass: "signal_strength"),
        "dB": .init(unit: "dB", deviceClass: "sound_pressure"),
        "ppm": .init(unit: "ppm", deviceClass: nil),
        "pH": .init(unit: nil, deviceClass: "ph"),
    ]
}
