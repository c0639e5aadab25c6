print("mqtt-bench: not yet")
