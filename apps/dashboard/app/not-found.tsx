import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="page">
      <h1>Not found</h1>
      <p>
        There is nothing here in your workspace. <Link href="/apps">Back to your apps</Link>
      </p>
    </main>
  );
}
