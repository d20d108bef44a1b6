"""Project configuration: settings per environment, URL routing and the WSGI entry point."""
