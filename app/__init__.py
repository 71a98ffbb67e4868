"""FlashTutor application edge: settings, database, services, workers, web and CLI."""
