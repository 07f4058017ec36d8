"""Simulation: the clock, threat kinematics and sensor models that turn a scenario into plots."""
