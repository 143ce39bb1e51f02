// Rebuild Prober.json from Prober.sol: node claudedex/safety/contracts/build_prober.js
const solc = require(require('path').resolve(__dirname, '../../../node_modules/solc'));
const fs = require('fs');
const src = fs.readFileSync(__dirname + '/Prober.sol', 'utf8');
const input = {language: 'Solidity', sources: {'Prober.sol': {content: src}},
  settings: {optimizer: {enabled: true, runs: 200}, evmVersion: 'paris',
  outputSelection: {'*': {'*': ['abi', 'evm.deployedBytecode.object']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
if (out.errors) for (const e of out.errors) console.error(e.formattedMessage);
const c = out.contracts['Prober.sol']['Prober'];
fs.writeFileSync(__dirname + '/Prober.json', JSON.stringify({
  contractName: 'Prober', compiler: 'solc-js ' + solc.version(), abi: c.abi,
  deployedBytecode: '0x' + c.evm.deployedBytecode.object}, null, 1));
console.log('ok', c.evm.deployedBytecode.object.length/2);
