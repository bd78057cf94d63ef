def main(args):
    name = args.get("name", "stranger")
    print("greeting", name)
    return {"greeting": "Hello, %s!" % name}
