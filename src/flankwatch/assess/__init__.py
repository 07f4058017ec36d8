"""Assessment: classification, identification, airspace violations and threat ranking."""
