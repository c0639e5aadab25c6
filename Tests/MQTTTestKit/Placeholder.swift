// Placeholder: replaced by the test kit's real sources.
enum MQTTTestKitPlaceholder {}
