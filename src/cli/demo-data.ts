import type { ItemInput, LocationInput } from '../contexts/catalog/index.js';
import { gs1CheckDigit } from '../contexts/catalog/index.js';

export const demoLocations: LocationInput[] = [
  {
    code: 'WH-EAST',
    name: 'East Coast warehouse',
    kind: 'warehouse',
    priority: 1,
    address: { line1: '1 Dock Rd', city: 'Newark', region: 'NJ', postal_code: '07102', country: 'US' },
  },
  {
    code: 'WH-WEST',
    name: 'West Coast warehouse',
    kind: 'warehouse',
    priority: 1,
    address: { line1: '400 Logistics Way', city: 'Reno', region: 'NV', postal_code: '89502', country: 'US' },
  },
  {
    code: 'STORE-NYC',
    name: 'Manhattan store',
    kind: 'store',
    priority: 5,
    address: { line1: '25 W 34th St', city: 'New York', region: 'NY', postal_code: '10001', country: 'US' },
  },
  {
    code: '3PL-EU',
    name: 'EU fulfillment partner',
    kind: '3pl',
    priority: 2,
    address: { line1: 'Celsiusweg 10', city: 'Venlo', postal_code: '5928 PR', country: 'NL' },
  },
  {
    code: 'DROP-ACME',
    name: 'Acme dropship supplier',
    kind: 'supplier',
    priority: 9,
    address: { line1: '233 S Wacker Dr', city: 'Chicago', region: 'IL', postal_code: '60606', country: 'US' },
  },
];

const products: [string, number, [number, number, number], string][] = [
  ['Ceramic mug', 350, [120, 90, 100], '691200'],
  ['Travel tumbler', 280, [90, 90, 210], '732393'],
  ['Cotton t-shirt', 180, [300, 250, 20], '610910'],
  ['Hooded sweatshirt', 650, [350, 300, 60], '611020'],
  ['Canvas tote bag', 220, [400, 380, 10], '420222'],
  ['Notebook A5', 300, [210, 148, 15], '482010'],
  ['Fountain pen', 40, [150, 30, 30], '960831'],
  ['Desk lamp', 1200, [400, 200, 200], '940520'],
  ['Wireless mouse', 95, [110, 65, 40], '847160'],
  ['Mechanical keyboard', 950, [440, 140, 40], '847160'],
  ['USB-C cable', 45, [150, 100, 20], '854442'],
  ['Phone case', 50, [170, 90, 15], '392690'],
  ['Yoga mat', 1400, [620, 150, 150], '950691'],
  ['Water bottle', 310, [75, 75, 260], '732393'],
  ['Espresso beans 1kg', 1030, [250, 140, 80], '090121'],
  ['Green tea 100g', 120, [120, 80, 50], '090210'],
  ['Scented candle', 420, [90, 90, 100], '340600'],
  ['Throw blanket', 1300, [400, 300, 100], '630140'],
  ['Chef knife', 250, [330, 50, 25], '821192'],
  ['Cutting board', 900, [400, 250, 20], '441990'],
  ['Running socks', 80, [200, 100, 20], '611595'],
  ['Sunglasses', 60, [160, 60, 50], '900410'],
  ['Backpack', 900, [450, 300, 150], '420292'],
  ['Board game', 1500, [300, 300, 80], '950490'],
  ['Puzzle 1000 pieces', 700, [350, 250, 50], '950390'],
  ['Bluetooth speaker', 540, [180, 70, 70], '851822'],
  ['Headphones', 250, [200, 180, 80], '851830'],
  ['Plant pot', 800, [200, 200, 180], '691490'],
];

/** A believable catalog: physical items with real-looking GTINs, HS codes and sizes, plus digital and service items. */
export function demoItems(): ItemInput[] {
  const items: ItemInput[] = products.map(([name, weight, [length, width, height], hs], i) => {
    const base = `0614141${String(10_000 + i).padStart(5, '0')}`;
    return {
      sku: `SKU-${String(i + 1).padStart(3, '0')}`,
      name,
      kind: 'physical',
      weight_g: weight,
      dimensions_mm: { length, width, height },
      barcode: `${base}${gs1CheckDigit(base)}`,
      hs_code: hs,
      country_of_origin: ['US', 'CN', 'DE', 'PT', 'VN'][i % 5],
      customs_value: { amount: 500 + i * 150, currency: 'USD' },
      inventory_policy: i % 7 === 3 ? 'continue' : 'deny',
    };
  });
  items.push(
    { sku: 'EBOOK-1', name: 'The Fulfillment Handbook (e-book)', kind: 'digital' },
    { sku: 'LICENSE-PRO', name: 'Inventory Pro license', kind: 'digital' },
    { sku: 'GIFT-WRAP', name: 'Gift wrapping', kind: 'service' },
  );
  return items;
}

export const firstNames = [
  'Ann',
  'Ben',
  'Chloe',
  'Diego',
  'Emma',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sam',
  'Tara',
];
export const lastNames = [
  'Lee',
  'Garcia',
  'Smith',
  'Jansen',
  'Müller',
  'Okafor',
  'Rossi',
  'Tanaka',
  'Silva',
  'Novak',
  'Khan',
  'Brown',
  'Dubois',
  'Kowalski',
];

export const destinations = [
  { city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
  { city: 'Brooklyn', region: 'NY', postal_code: '11201', country: 'US' },
  { city: 'Boston', region: 'MA', postal_code: '02108', country: 'US' },
  { city: 'Seattle', region: 'WA', postal_code: '98101', country: 'US' },
  { city: 'San Francisco', region: 'CA', postal_code: '94103', country: 'US' },
  { city: 'Austin', region: 'TX', postal_code: '73301', country: 'US' },
  { city: 'Denver', region: 'CO', postal_code: '80202', country: 'US' },
  { city: 'Amsterdam', postal_code: '1012 AB', country: 'NL' },
  { city: 'Rotterdam', postal_code: '3011 AA', country: 'NL' },
  { city: 'Berlin', postal_code: '10115', country: 'DE' },
  { city: 'Munich', postal_code: '80331', country: 'DE' },
];
