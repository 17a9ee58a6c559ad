from kubelite.cli.fast import main

main()
