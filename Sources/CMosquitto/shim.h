#ifndef BARNND_CMOSQUITTO_SHIM_H
#define BARNND_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
#endif
