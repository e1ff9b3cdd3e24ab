from carinho.cli import main

main()
