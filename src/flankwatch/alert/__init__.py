"""Alerts: rules, airport advisories, public CAP alerts and their life cycle."""
