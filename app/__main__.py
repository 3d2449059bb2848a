from app.cli import main

# Guarded: a reader process started by "spawn" imports this module again (app.importers.ahead).
if __name__ == "__main__":
    main()
