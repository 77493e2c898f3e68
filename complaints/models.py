# Models arrive with this app's issue; the app is registered so that the
# project's layout and migrations are in place from the start.
