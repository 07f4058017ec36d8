"""Sensor models: radars, ADS-B stations and acoustic nodes, built from a scenario."""
